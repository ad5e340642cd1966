import BansoAggregate
import BansoClean
import BansoCore
import BansoIngest
import BansoTestSupport
import Foundation
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
/// from `internal/weights.csv`; workers `svydesign(ids = ~establishment_id, strata = ~cell,
/// weights = ~worker_weight)` from `internal/worker_weights.csv`; `svyratio`, `svytotal`,
/// `svymean` and `svyquantile(qrule = "math")` on each area's subset.
@Suite("weighted estimates equal R's survey package")
struct WeightedEstimatesTests {
    /// R's values: area, indicator, value, standard error.
    static let sample = """
        200000,turnover_rate,7.3565787583848765,0.062701498338719769
        200000,hiring_rate,15.305389741868176,0.15602437907104919
        200000,estimated_care_staff,64437.911528936937,317.10438037115682
        200000,estimated_hires,9142.1413939500471,87.24632901966207
        200000,estimated_separations,4357.7022176117071,44.296506561939189
        200000,estimated_vacancies,4417.4221646010246,37.583384981651328
        200000,shortage_share,58.875606292474622,0.59771335470034481
        200000,mean_monthly_wage_regular,265886.94729453803,603.74214428133791
        200000,intention_to_leave_share,24.439044519958205,0.46868615699944982
        200000,mean_age,48.712961937717353,0.18778978503644753
        200000,median_monthly_wage_regular,266000,0
        202011,turnover_rate,6.9254773009428572,0.41207604044660096
        202011,hiring_rate,16.206422172264539,0.63733264815937207
        202011,estimated_care_staff,966.54285714285709,41.341659244830097
        202011,estimated_hires,142.40000000000001,6.0053944004338211
        202011,estimated_separations,60.371428571428574,3.5543209307702592
        202011,estimated_vacancies,69.714285714285708,6.505361472751261
        202011,shortage_share,71.287128712871279,5.2030038194523707
        202011,mean_monthly_wage_regular,263411.33071983757,3374.9455076493409
        202011,intention_to_leave_share,19.694356535340876,3.117631711970188
        202011,mean_age,48.191063924403764,1.2140599400474443
        202011,median_monthly_wage_regular,261000,0
        202134,turnover_rate,8.0143367391497353,0.24055553642359068
        202134,hiring_rate,14.314923045697576,0.7348328282866502
        202134,estimated_care_staff,6307.1303318903319,163.63900313350942
        202134,estimated_hires,843.06036075036081,41.436637631200881
        202134,estimated_separations,475.7318326118326,20.967657781406494
        202134,estimated_vacancies,397.75741702741703,16.968204871671471
        202134,shortage_share,64.094971678765106,2.6423252060818117
        202134,mean_monthly_wage_regular,265666.77682139614,2257.8168655049612
        202134,intention_to_leave_share,24.814862874515391,1.9612458504219425
        202134,mean_age,48.745820409694133,0.73714063908750005
        202134,median_monthly_wage_regular,267000,0
        203041,turnover_rate,3.3898305084745761,0
        203041,hiring_rate,8.4745762711864394,0
        203041,estimated_care_staff,62,0
        203041,estimated_hires,5,0
        203041,estimated_separations,2,0
        203041,estimated_vacancies,5,0
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
        203092,mean_monthly_wage_regular,260245.36256323778,7680.0026593216371
        203092,intention_to_leave_share,25.970648337358348,5.3603767379138061
        203092,mean_age,48.471819645732687,6.2782753105651912
        203092,median_monthly_wage_regular,254000,0
        203866,turnover_rate,7.3170731707317067,0
        203866,hiring_rate,21.951219512195124,0
        203866,estimated_care_staff,47,0
        203866,estimated_hires,9,0
        203866,estimated_separations,3,0
        203866,estimated_vacancies,4,0
        203866,shortage_share,100,0
        203866,intention_to_leave_share,0,0
        203882,turnover_rate,7.6923076923076925,0
        203882,hiring_rate,26.923076923076927,2.7006411296743853e-15
        203882,estimated_care_staff,82.666666666666671,65.353738310146511
        203882,estimated_hires,18.666666666666668,14.75729574745244
        203882,estimated_separations,5.333333333333333,4.2163702135578385
        203882,estimated_vacancies,5.333333333333333,4.2163702135578385
        203882,shortage_share,100,0
        203882,mean_monthly_wage_regular,258771.42857142858,2137.4415531587038
        203882,intention_to_leave_share,21.768707482993197,0.70243568738989504
        203882,mean_age,48.895522388059703,0.91296766486482794
        203882,median_monthly_wage_regular,241000,0
        204021,turnover_rate,8.1546565252551737,1.4462190657819092
        204021,hiring_rate,11.076869276331609,1.8327871622577045
        204021,estimated_care_staff,356.74242424242425,94.958553860784363
        204021,estimated_hires,38.393939393939398,15.70284785223177
        204021,estimated_separations,28.265151515151516,10.625968869561788
        204021,estimated_vacancies,19,6.324555320336759
        204021,shortage_share,57.356828193832612,15.55753377537947
        204021,mean_monthly_wage_regular,264060.1589594644,6609.8211472250741
        204021,intention_to_leave_share,24.274033393609194,2.1421714595604446
        204021,mean_age,45.554431236400433,1.0888084008805508
        204021,median_monthly_wage_regular,248000,0
        """

    static let generated = """
        200000,turnover_rate,6.9874717462466176,0.11404252507076761
        200000,hiring_rate,15.641186817420804,0.23125812857000028
        200000,estimated_care_staff,34058.756747140033,256.12138113847948
        200000,estimated_hires,4893.5543267662852,72.016854138110617
        200000,estimated_separations,2183.2772531690875,42.984401026557158
        200000,estimated_vacancies,2222.9532813978249,36.94759480961261
        200000,shortage_share,61.554479138401106,0.91804271497934864
        200000,mean_monthly_wage_regular,264222.11991287628,861.0143601092301
        200000,intention_to_leave_share,24.619560086095653,0.70278360696914266
        200000,mean_age,48.153759563830263,0.2632403383337607
        200000,median_monthly_wage_regular,262000,0
        202011,turnover_rate,5.6759786295546855,0.39310962709542646
        202011,hiring_rate,14.133900106269925,0.77036056581065215
        202011,estimated_care_staff,780.21904761904761,36.555377181846026
        202011,estimated_hires,104.46666666666667,4.9960619412328073
        202011,estimated_separations,37.133333333333333,4.280483580454395
        202011,estimated_vacancies,51.257142857142853,2.677850696685963
        202011,shortage_share,46.477495107632095,4.1664646051426013
        202011,mean_monthly_wage_regular,261974.65897197227,6434.6511486509844
        202011,intention_to_leave_share,23.600485923033695,4.2390419646979378
        202011,mean_age,48.654415874426206,1.8568984312202366
        202011,median_monthly_wage_regular,252000,0
        202029,turnover_rate,6.6290382783965836,0.27277748133788715
        202029,hiring_rate,15.061471716498701,0.7240188880120777
        202029,estimated_care_staff,1491.3698412698413,48.442362626636942
        202029,estimated_hires,205.59841269841272,9.3539965360681538
        202029,estimated_separations,90.490476190476187,5.1309142634756943
        202029,estimated_vacancies,100.49523809523809,5.5644441365470492
        202029,shortage_share,55.779600516442628,3.4328591046577004
        202029,mean_monthly_wage_regular,263449.62712686689,4054.2617024446258
        202029,intention_to_leave_share,24.139406814329234,2.9193567817909334
        202029,mean_age,49.402817728601512,1.039192418465922
        202029,median_monthly_wage_regular,258000,0
        202037,turnover_rate,7.3267513608464228,0.31153798229663898
        202037,hiring_rate,13.175305863284986,0.77085193455920276
        202037,estimated_care_staff,2706.9550096961862,62.909133267560108
        202037,estimated_hires,323.62100840336137,18.106169260553656
        202037,estimated_separations,178.75116354234001,9.1846084676938027
        202037,estimated_vacancies,172.04227537168714,9.5345571187183289
        202037,shortage_share,57.290331630251188,3.0682588771281312
        202037,mean_monthly_wage_regular,262416.20235712372,2796.0896198300884
        202037,intention_to_leave_share,22.829176202838379,2.8455615945462389
        202037,mean_age,47.135453926404629,0.89202583385801515
        202037,median_monthly_wage_regular,261000,0
        """

    /// The relative difference allowed (the two sum in different orders).
    static let tolerance = 1e-9

    static func compare(_ expected: String, with file: String) throws {
        let table = try CSVTable.read(file)
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
        let layout = RunLayout(root: root + "/run")
        _ = try IngestStage.run(TestSupport.context(config, layout: layout, root: root, reads: []), .init(config))
        _ = try CleanStage.run(
            TestSupport.context(config, layout: layout, root: root, reads: CleanStage.reads), .init(config))
        _ = try AggregateStage.run(
            TestSupport.context(config, layout: layout, root: root, reads: AggregateStage.reads), .init(config))
        try Self.compare(Self.sample, with: layout.internal + "/indicators.csv")
    }

    @Test("a generated prefecture's weighted estimates and standard errors equal R's to 1e-9")
    func generatedAgainstR() throws {
        let root = TestSupport.temporaryFolder("banso-weighted-gen")
        let (_, layout, _) = try GeneratedAggregateTests.pipeline(seed: 11, root: root, weights: "frame")
        try Self.compare(Self.generated, with: layout.internal + "/indicators.csv")
    }
}
