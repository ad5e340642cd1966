import BansoClean
import BansoCore
import BansoTestSupport
import Testing

/// A valid establishment row of 長野県 (prefecture 20): 長野市 202011.
let goodEstablishment: [String: String] = [
    "establishment_id": "2010001007", "establishment_name": "さくらホーム", "municipality_code": "202011",
    "service_type": "15",
    "response_date": "2025-10-01", "care_staff_regular": "10", "care_staff_nonregular": "5",
    "care_staff_year_ago": "14",
    "hires_regular": "2", "hires_nonregular": "1", "separations_regular": "1", "separations_nonregular": "1",
    "nurses": "2",
    "care_managers": "1", "other_staff": "3", "fte_total": "18.5", "certified_care_workers": "6",
    "staff_aged_60_plus": "4",
    "foreign_staff": "1", "vacancies": "2", "shortage_perception": "2", "comment": "=cmd <script>",
]

let goodWorker: [String: String] = [
    "establishment_id": "2010001007", "occupation": "2", "employment_type": "1", "sex": "2", "age": "45",
    "tenure_years": "7.5", "monthly_wage": "250000", "intention_to_continue": "1",
]

let window = Day(year: 2025, month: 9, day: 1)!...Day(year: 2025, month: 11, day: 30)!
let master: Set<MunicipalityCode> = ["202011", "202029", "202037"]

func establishmentRules(_ changes: [String: String]) -> [String] {
    let row = goodEstablishment.merging(changes) { _, new in new }
    return RowCheck.establishment(EstablishmentField.keyed(row), prefecture: "20", known: master, window: window).map(
        \.rule.rawValue
    ).sorted()
}

func workerRules(_ changes: [String: String]) -> [String] {
    RowCheck.worker(WorkerField.keyed(goodWorker.merging(changes) { _, new in new }), prefecture: "20").map(
        \.rule.rawValue
    ).sorted()
}

@Suite("validation rules")
struct RuleTests {
    @Test("the good rows raise nothing")
    func good() {
        #expect(establishmentRules([:]).isEmpty)
        #expect(workerRules([:]).isEmpty)
    }

    @Test(
        "a count no establishment can have is refused with its own rule, not published or dropped later",
        arguments: [
            ("vacancies", "2,500,000,000"), ("vacancies", "99999999999999999999"), ("care_staff_regular", "10001"),
            ("fte_total", "25000.5"),
        ])
    func implausible(_ field: String, _ value: String) {
        #expect(
            establishmentRules([field: value]).contains("implausible_count"), "\(establishmentRules([field: value]))")
        #expect(!establishmentRules([field: "10000"]).contains("implausible_count"))
    }

    @Test(
        "each establishment rule on its own",
        arguments: [
            (["establishment_id": ""], "required"),
            (["establishment_id": "不明"], "required"),
            (["establishment_id": "12345"], "establishment_id_format"),
            (["establishment_id": "20a0001007"], "establishment_id_format"),
            (["establishment_id": "1310001007"], "establishment_id_prefecture"),
            (["municipality_code": "202012"], "check_digit"),
            (["municipality_code": "2020"], "municipality_code_format"),
            (["municipality_code": "131016"], "unknown_municipality"),
            (["municipality_code": "-"], "required"),
            (["service_type": "99"], "unknown_service_type"),
            (["service_type": "訪問"], "service_type_format"),
            (["service_type": ""], "required"),
            (["response_date": "2025-13-45"], "date"),
            (["response_date": "無回答"], "required"),
            (["response_date": "2025-12-24"], "outside_survey_window"),
            (["nurses": "たくさん"], "not_a_number"),
            (["nurses": "-1"], "negative"),
            (["nurses": "2.5"], "not_an_integer"),
            (["fte_total": "-0.5"], "negative"),
            (["shortage_perception": "6"], "invalid_category"),
            (["separations_regular": "20"], "separations_exceed"),
            (["care_staff_year_ago": "30"], "staff_balance"),
            (["certified_care_workers": "16"], "certified_exceeds_care_staff"),
            (["staff_aged_60_plus": "22"], "aged_60_exceeds_staff"),
            (["foreign_staff": "22"], "foreign_exceeds_staff"),
        ] as [([String: String], String)])
    func establishmentRule(_ change: [String: String], _ rule: String) {
        let rules = establishmentRules(change)
        // A rejected row reports its errors only; its warnings would not change anything.
        #expect(rules == [rule])
    }

    @Test(
        "each worker rule on its own",
        arguments: [
            (["establishment_id": ""], "required"),
            (["establishment_id": "123"], "establishment_id_format"),
            (["occupation": ""], "required"),
            (["occupation": "9"], "invalid_category"),
            (["employment_type": "パート"], "invalid_category"),
            (["sex": "4"], "invalid_category"),
            (["age": "120"], "out_of_range"),
            (["age": "14"], "out_of_range"),
            (["age": "若い"], "not_a_number"),
            (["tenure_years": "61"], "out_of_range"),
            (["tenure_years": "-1"], "negative"),
            (["monthly_wage": "1200"], "wage_out_of_range"),
            (["monthly_wage": "300万円"], "wage_out_of_range"),
            (["monthly_wage": "高い"], "not_a_number"),
            (["intention_to_continue": "5"], "invalid_category"),
        ] as [([String: String], String)])
    func workerRule(_ change: [String: String], _ rule: String) {
        #expect(workerRules(change) == [rule])
    }

    @Test("several problems in one row are all reported")
    func several() {
        #expect(
            establishmentRules(["municipality_code": "202012", "nurses": "-1", "response_date": "R7.13.1"]) == [
                "check_digit", "date", "negative",
            ])
    }

    @Test(
        "labels and messy forms are accepted",
        arguments: [
            ["shortage_perception": "大いに不足"], ["shortage_perception": "1 大いに不足"], ["care_staff_regular": "１０人"],
            ["response_date": "令和7年10月1日"], ["response_date": "R7.10.1"], ["response_date": "45931"],
            ["municipality_code": "20201"],
            ["municipality_code": "２０２０１１"], ["service_type": "通所介護"], ["nurses": "不明"], ["fte_total": "18.5人"],
            ["establishment_id": "20A0001007"], ["establishment_id": " 2010001007 "],
        ])
    func messy(_ change: [String: String]) {
        #expect(establishmentRules(change).isEmpty)
    }

    @Test("worker labels and 万円")
    func workerMessy() {
        #expect(
            workerRules(["occupation": "介護職員", "employment_type": "正規職員", "monthly_wage": "25.3万円", "age": "45歳"])
                .isEmpty)
    }

    @Test("messages are specific")
    func messages() {
        let f = RowCheck.establishment(
            EstablishmentField.keyed(goodEstablishment.merging(["municipality_code": "202012"]) { _, n in n }),
            prefecture: "20",
            known: master)
        #expect(f.first?.message == "市区町村コード 202012: check digit should be 1")
    }
}
