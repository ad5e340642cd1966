import BansoAggregate
import BansoClean
import BansoCore
import BansoIngest
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// The weighted estimates against R's survey package.
///
/// The expected values were computed by `Tests/BansoAggregateTests/Reference/survey-reference.R`
/// (R 4.2.2, survey 4.1.1) on the run folders these tests make:
///
///     banso run pipelines/sample.toml --output /tmp/w1 --force
///     cd /tmp/w1/latest && Rscript .../survey-reference.R . 200000 202011 202134 203041 203092 203866 203882 204021
///
/// and, for the generated prefecture, on the folder `GeneratedAggregateTests.pipeline(seed: 11,
/// weights: "frame")` writes (`run/`), with `… . 200000 202011 202029 202037`. The design:
/// `svydesign(ids = ~establishment_id, strata = ~cell, weights = ~weight, fpc = ~frame_count)`
/// from `internal/weights.csv` (the raked weights, taken as given); workers `svydesign(ids = ~establishment_id, strata =
/// ~municipality, weights = ~worker_weight)` from `internal/worker_weights.csv`; `svyratio`, `svytotal`,
/// `svymean` and `svyquantile(qrule = "math")` on each area's subset.
@Suite("weighted estimates equal R's survey package")
struct WeightedEstimatesTests {
    /// R's values: area, indicator, value, standard error.
    static let sample = """
        200000,turnover_rate,7.3418595267953499,0.061565017252894171
        200000,hiring_rate,15.283865776126465,0.14807882441241804
        200000,estimated_care_staff,64482.033446460468,308.17116559621843
        200000,estimated_hires,9133.4990369193401,84.386697247692226
        200000,estimated_separations,4353.0691126261408,43.795889962346308
        200000,estimated_vacancies,4427.7369096677048,36.977675438287697
        200000,shortage_share,58.940917435088835,0.58352818104577842
        200000,mean_monthly_wage_regular,265823.32642643712,612.82215429777284
        200000,intention_to_leave_share,24.429479809278458,0.4707223607299002
        200000,mean_age,48.706666165747549,0.18685872394494021
        200000,median_monthly_wage_regular,266000,0
        202011,turnover_rate,6.8892205846201735,0.41998812823926768
        202011,hiring_rate,16.283591439197416,0.63206455890604174
        202011,estimated_care_staff,967.4567603518268,40.382727431905415
        202011,estimated_hires,142.97225538054963,5.9004156267529009
        202011,estimated_separations,59.982305501131222,3.5623014500134635
        202011,estimated_vacancies,69.395250551964125,6.4055268183284841
        202011,shortage_share,70.847167666100987,5.323005651781072
        202011,mean_monthly_wage_regular,263593.4544850121,4006.6141027767876
        202011,intention_to_leave_share,19.555267983985896,2.9881016926739146
        202011,mean_age,48.16250013343727,1.216533624524808
        202011,median_monthly_wage_regular,261000,0
        202134,turnover_rate,8.0469380510690183,0.22617896939984167
        202134,hiring_rate,14.415554716374945,0.67152535707838801
        202134,estimated_care_staff,6151.3704831532159,150.55340491155766
        202134,estimated_hires,827.29324839687172,37.308098890677684
        202134,estimated_separations,465.82466185739321,19.147037786751888
        202134,estimated_vacancies,388.65872622790982,15.482477086142602
        202134,shortage_share,63.553880950562245,2.4612578967444203
        202134,mean_monthly_wage_regular,265185.4087940653,2252.1729329056984
        202134,intention_to_leave_share,24.75006458559913,1.9038682501864479
        202134,mean_age,48.698083816616098,0.70530276611449338
        202134,median_monthly_wage_regular,266000,0
        203041,turnover_rate,3.3898305084745761,0
        203041,hiring_rate,8.4745762711864394,0
        203041,estimated_care_staff,124,0
        203041,estimated_hires,10,0
        203041,estimated_separations,4,0
        203041,estimated_vacancies,10,0
        203041,shortage_share,100,0
        203041,mean_monthly_wage_regular,281666.66666666669,0
        203041,intention_to_leave_share,33.333333333333336,0
        203041,mean_age,43.833333333333336,0
        203041,median_monthly_wage_regular,271000,0
        203092,turnover_rate,8.8235294117647065,0
        203092,hiring_rate,7.0588235294117645,0
        203092,estimated_care_staff,167,0
        203092,estimated_hires,12,0
        203092,estimated_separations,15,0
        203092,estimated_vacancies,16,0
        203092,shortage_share,100,0
        203092,mean_monthly_wage_regular,260245.36256323778,8550.5549294510311
        203092,intention_to_leave_share,25.970648337358348,8.169773663915155
        203092,mean_age,48.471819645732687,5.7715919489490863
        203092,median_monthly_wage_regular,254000,0
        203866,turnover_rate,7.3170731707317067,0
        203866,hiring_rate,21.951219512195124,0
        203866,estimated_care_staff,94,0
        203866,estimated_hires,18,0
        203866,estimated_separations,6,0
        203866,estimated_vacancies,8,0
        203866,shortage_share,100,0
        203866,intention_to_leave_share,0,0
        203882,turnover_rate,7.6923076923076925,0
        203882,hiring_rate,26.923076923076923,0
        203882,estimated_care_staff,56.488888888888887,37.945210664136226
        203882,estimated_hires,12.755555555555555,8.5682733757726908
        203882,estimated_separations,3.6444444444444444,2.448078107363628
        203882,estimated_vacancies,3.6444444444444444,2.448078107363628
        203882,shortage_share,100,0
        203882,mean_monthly_wage_regular,258771.42857142858,2703.6734693877506
        203882,intention_to_leave_share,21.768707482993197,0.888518672775231
        203882,mean_age,48.895522388059703,1.1548229004232562
        203882,median_monthly_wage_regular,241000,0
        204021,turnover_rate,7.6728745822618603,1.2483292391818273
        204021,hiring_rate,8.859403700533365,2.1300799496793372
        204021,estimated_care_staff,338.64786231155733,24.889639195131284
        204021,estimated_hires,29.650370960287912,5.680709026475359
        204021,estimated_separations,25.679332987403189,6.11764410865863
        204021,estimated_vacancies,18.56583208408815,2.8893469092161315
        204021,shortage_share,60.955728956556108,11.420759955766393
        204021,mean_monthly_wage_regular,263457.49446429132,7712.4018279238189
        204021,intention_to_leave_share,23.295264561458918,3.2142009777621534
        204021,mean_age,45.818068921210752,1.3677302727893106
        204021,median_monthly_wage_regular,252000,0
        """

    static let generated = """
        200000,turnover_rate,14.121185322063621,0.2547781685624208
        200000,hiring_rate,17.744399594058692,0.40053800629301717
        200000,estimated_care_staff,42732.179911741157,448.61072609215483
        200000,estimated_hires,7278.793154049732,159.37568330898571
        200000,estimated_separations,5789.9289898640773,133.42879436117676
        200000,estimated_vacancies,2924.3222026038352,50.12348663569562
        200000,shortage_share,60.360359205600076,1.2416427501991001
        200000,mean_monthly_wage_regular,264735.93694975378,935.59912126400229
        200000,intention_to_leave_share,24.10437972445358,0.67089376437076076
        200000,mean_age,48.397796176400249,0.27659901797773612
        200000,median_monthly_wage_regular,261000,0
        202011,turnover_rate,13.122842021213369,1.1046271486935881
        202011,hiring_rate,19.156776078119087,1.7297464441432935
        202011,estimated_care_staff,998.89978369540097,43.305198199117768
        202011,estimated_hires,173.26456938920902,13.493699928480936
        202011,estimated_separations,125.27262228707671,12.135951550462726
        202011,estimated_vacancies,72.413798608745736,6.7874639872175058
        202011,shortage_share,72.750209627410399,7.3170258782096864
        202011,mean_monthly_wage_regular,266092.83965334808,6535.6958645521891
        202011,intention_to_leave_share,21.922195750652339,4.112698762018228
        202011,mean_age,49.551047172444925,1.4998102548685732
        202011,median_monthly_wage_regular,264000,0
        202029,turnover_rate,11.810178925633197,1.3705204868627716
        202029,hiring_rate,14.293775538985907,1.4476916231226926
        202029,estimated_care_staff,1728.0781787646322,89.928902748644973
        202029,estimated_hires,241.02161143184276,26.369612141039081
        202029,estimated_separations,199.1432108466181,21.877023334718498
        202029,estimated_vacancies,124.80846568357583,11.294612285134885
        202029,shortage_share,46.317745730130696,7.1364419365669773
        202029,mean_monthly_wage_regular,261975.30561395152,4293.4448871549703
        202029,intention_to_leave_share,24.243569766979807,2.7495962431322485
        202029,mean_age,46.501426693259809,1.8724113443503232
        202029,median_monthly_wage_regular,255000,0
        202037,turnover_rate,14.548342425810704,0.77516771540851193
        202037,hiring_rate,15.759949903754602,1.160498985032641
        202037,estimated_care_staff,3219.3446641565224,87.589258536592155
        202037,estimated_hires,494.72903568662599,36.069799540028939
        202037,estimated_separations,470.54891388568188,29.323298218320943
        202037,estimated_vacancies,178.31730568750675,10.847909582457492
        202037,shortage_share,78.99498042550799,2.8215264547334304
        202037,mean_monthly_wage_regular,263764.59791577794,3275.770798647563
        202037,intention_to_leave_share,22.690895040950888,2.7944724454636871
        202037,mean_age,47.336288589380004,0.8993237356014312
        202037,median_monthly_wage_regular,259000,0
        """

    /// The relative difference allowed (the two sum in different orders).
    static let tolerance = 1e-9

    static func compare(_ expected: String, with file: String) throws {
        let table = try CSVTable.read(FilePath(file))
        var got: [String: (value: Double?, se: Double?)] = [:]
        for r in table.rows {
            got[table.value(r, "municipality_code") + " " + table.value(r, "indicator")] = (
                Double(table.value(r, "value")), Double(table.value(r, "se"))
            )
        }
        let lines = expected.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.count > 20)
        for line in lines {
            let f = line.split(separator: ",").map(String.init)
            let key = f[0] + " " + f[1]
            let value = Double(f[2])!, se = Double(f[3])!
            let mine = try #require(got[key], "\(key) missing")
            let v = try #require(mine.value, "\(key) has no value")
            #expect(abs(v - value) <= tolerance * max(abs(value), 1), "\(key): \(v) ≠ R \(value)")
            // The median has no standard error. A share of 0% or 100% outside a census has, by
            // design, the respondents' Agresti–Coull SE where the linearised one (R's) is 0.
            guard f[1] != "median_monthly_wage_regular" else { continue }
            if f[1] == "shortage_share" && (value == 0 || value == 100) && se == 0 { continue }
            let s = mine.se ?? 0
            #expect(abs(s - se) <= tolerance * abs(se) + 1e-12, "\(key): SE \(s) ≠ R \(se)")
        }
    }

    @Test("the sample's weighted estimates and standard errors equal R's to 1e-9")
    func sampleAgainstR() throws {
        let root = TestSupport.temporaryFolder("banso-weighted")
        let config = try PipelineConfig.load(
            path: TestSupport.packageRoot + "/pipelines/sample.toml", outputOverride: root + "/out")
        let layout = try throughAggregate(config, root: root)
        try Self.compare(Self.sample, with: layout.internal.appending("indicators.csv").string)
    }

    @Test("a generated prefecture's weighted estimates and standard errors equal R's to 1e-9")
    func generatedAgainstR() throws {
        let root = TestSupport.temporaryFolder("banso-weighted-gen")
        let (_, layout, _) = try GeneratedAggregateTests.pipeline(seed: 11, root: root, weights: "frame")
        try Self.compare(Self.generated, with: layout.internal.appending("indicators.csv").string)
    }
}
