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
/// from `internal/weights.csv`; workers `svydesign(ids = ~establishment_id, strata =
/// ~municipality, weights = ~worker_weight)` from `internal/worker_weights.csv`; `svyratio`, `svytotal`,
/// `svymean` and `svyquantile(qrule = "math")` on each area's subset.
@Suite("weighted estimates equal R's survey package")
struct WeightedEstimatesTests {
    /// R's values: area, indicator, value, standard error.
    static let sample = """
        200000,turnover_rate,7.340706670875158,0.061227102146028459
        200000,hiring_rate,15.301790773893078,0.14911218497226561
        200000,estimated_care_staff,64445.745872371284,309.13876246197066
        200000,estimated_hires,9137.7802828389358,84.969430939582438
        200000,estimated_separations,4349.5976721571624,43.716878326506567
        200000,estimated_vacancies,4429.8519625808231,37.018524982215119
        200000,shortage_share,58.952685757624067,0.58349831816464459
        200000,mean_monthly_wage_regular,265885.41706210567,611.97438695994344
        200000,intention_to_leave_share,24.420856320883605,0.47136922161672251
        200000,mean_age,48.712465811951631,0.18669481430343773
        200000,median_monthly_wage_regular,266000,0
        202011,turnover_rate,6.9254773009428572,0.41207604044660096
        202011,hiring_rate,16.206422172264539,0.63733264815937207
        202011,estimated_care_staff,966.54285714285709,41.341659244830097
        202011,estimated_hires,142.40000000000001,6.0053944004338211
        202011,estimated_separations,60.371428571428574,3.5543209307702592
        202011,estimated_vacancies,69.714285714285708,6.505361472751261
        202011,shortage_share,71.287128712871279,5.2030038194523707
        202011,mean_monthly_wage_regular,263411.33071983757,3944.0919765578274
        202011,intention_to_leave_share,19.694356535340876,3.029350663440705
        202011,mean_age,48.191063924403764,1.2155560187621841
        202011,median_monthly_wage_regular,261000,0
        202134,turnover_rate,8.0259447666591619,0.23119865752390228
        202134,hiring_rate,14.349939201168487,0.69688190420970852
        202134,estimated_care_staff,6144.0515440115441,156.54978465815128
        202134,estimated_hires,823.00430014430015,38.652223199003444
        202134,estimated_separations,464.11466089466086,19.715215698642865
        202134,estimated_vacancies,387.56499278499274,15.963879138395976
        202134,shortage_share,63.862953598521152,2.5287640497298489
        202134,mean_monthly_wage_regular,265490.65331365477,2276.028422965554
        202134,intention_to_leave_share,24.77742741539392,1.9415508092263931
        202134,mean_age,48.727715818829466,0.72303237673139664
        202134,median_monthly_wage_regular,267000,0
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
        203882,mean_monthly_wage_regular,258771.42857142852,2703.673469387797
        203882,intention_to_leave_share,21.768707482993197,0.888518672775231
        203882,mean_age,48.895522388059696,1.1548229004232622
        203882,median_monthly_wage_regular,241000,0
        204021,turnover_rate,7.7265973254086182,1.2463283540914929
        204021,hiring_rate,8.618127786032689,2.1524424026204634
        204021,estimated_care_staff,339.5,26.734808770589702
        204021,estimated_hires,29,5.4772255750516612
        204021,estimated_separations,26,6.4031242374328485
        204021,estimated_vacancies,19,3
        204021,shortage_share,60,11.313708498984759
        204021,mean_monthly_wage_regular,263751.75428637495,7478.4918434222764
        204021,intention_to_leave_share,23.093801100044601,3.326655138265592
        204021,mean_age,45.863171341520371,1.380087936543168
        204021,median_monthly_wage_regular,252000,0
        """

    static let generated = """
        200000,turnover_rate,13.763896873253778,0.23957846183388604
        200000,hiring_rate,17.451080437976916,0.37486289274036211
        200000,estimated_care_staff,42655.471673628301,432.53880945604629
        200000,estimated_hires,7143.4848612377964,148.52211104117492
        200000,estimated_separations,5633.2708887248018,124.30187437108523
        200000,estimated_vacancies,2930.5586635586637,48.683881925730333
        200000,shortage_share,60.662352729223301,1.1937710981663083
        200000,mean_monthly_wage_regular,264721.89859694301,912.93429601157288
        200000,intention_to_leave_share,24.101694715181829,0.66159909564088593
        200000,mean_age,48.405867920877149,0.2667819890089313
        200000,median_monthly_wage_regular,262000,0
        202011,turnover_rate,12.959753514346236,1.0925885086602214
        202011,hiring_rate,18.977469670710573,1.6801237875237969
        202011,estimated_care_staff,998.58333333333337,44.834959697886546
        202011,estimated_hires,170.25,13.148986019208225
        202011,estimated_separations,124.16666666666667,12.268976231853161
        202011,estimated_vacancies,70.916666666666671,6.7025078225326311
        202011,shortage_share,72.61904761904762,7.2413839646407379
        202011,mean_monthly_wage_regular,265183.90746884962,6847.2374423200772
        202011,intention_to_leave_share,22.013677966447194,4.223877278077186
        202011,mean_age,49.636127515690504,1.5024740947585855
        202011,median_monthly_wage_regular,264000,0
        202029,turnover_rate,11.859099500197164,1.2875532070710496
        202029,hiring_rate,14.306637684706578,1.3985068415123849
        202029,estimated_care_staff,1712.3474025974026,81.591104606460277
        202029,estimated_hires,239.12662337662337,24.99034477915033
        202029,estimated_separations,198.21753246753246,21.02076699480196
        202029,estimated_vacancies,127.76298701298701,10.741880344605919
        202029,shortage_share,47.653761333006614,6.8353546806984768
        202029,mean_monthly_wage_regular,262086.44915228678,4133.8799894985023
        202029,intention_to_leave_share,24.161375530044559,2.7350984575061177
        202029,mean_age,46.613376218595008,1.7603367578206999
        202029,median_monthly_wage_regular,255000,0
        202037,turnover_rate,14.074480452283792,0.72516988813854322
        202037,hiring_rate,15.582252701555262,1.0859011837162611
        202037,estimated_care_staff,3194.0610389610388,82.911664350651677
        202037,estimated_hires,484.81038961038956,33.383551591137518
        202037,estimated_separations,449.09826839826837,26.915976547600167
        202037,estimated_vacancies,177.83419913419911,10.240498060426198
        202037,shortage_share,78.953793381759482,2.6692533672090324
        202037,mean_monthly_wage_regular,263851.23338820861,3200.7500842525392
        202037,intention_to_leave_share,23.060441764605041,2.7156864665007219
        202037,mean_age,47.368740471530209,0.88123214945835449
        202037,median_monthly_wage_regular,259000,0
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
