import BansoAggregate
import BansoCore
import BansoTestSupport
import Foundation
import Testing

/// Three establishments and five workers, small enough to compute by hand.
///
///      E1: care 10+5=15, year ago 14, hires 2+1, separations 1+1, nurses 2, managers 1, other 3 (all 21),
///          fte 18.5, certified 6, aged 60+ 4, foreign 1, vacancies 2, shortage 2
///      E2: care 4+4=8,   year ago 10, hires 0+1, separations 2+1, nurses 1, managers 0, other 1 (all 10),
///          fte 9,    certified 2, aged 60+ 3, foreign 0, vacancies 1, shortage 4
///      E3: care 20+10=30, year ago missing, hires 5+0, separations 3+0, nurses 4, managers 2, other 4 (all 40),
///          fte 36,   certified 15, aged 60+ 10, foreign 3, vacancies missing, shortage 1
func fixtureArea() -> AreaData {
    func e(_ v: [CountField: Double], _ s: Int?) -> EstablishmentCounts {
        EstablishmentCounts(
            municipality: "202011", values: v, shortage: s.flatMap { ShortageAnswer(rawValue: UInt8($0)) })
    }
    var a = AreaData()
    a.establishments = [
        e(
            [
                .careStaffRegular: 10, .careStaffNonregular: 5, .careStaffYearAgo: 14, .hiresRegular: 2,
                .hiresNonregular: 1,
                .separationsRegular: 1, .separationsNonregular: 1, .nurses: 2, .careManagers: 1, .otherStaff: 3,
                .fteTotal: 18.5,
                .certifiedCareWorkers: 6, .staffAged60Plus: 4, .foreignStaff: 1, .vacancies: 2,
            ], 2),
        e(
            [
                .careStaffRegular: 4, .careStaffNonregular: 4, .careStaffYearAgo: 10, .hiresRegular: 0,
                .hiresNonregular: 1,
                .separationsRegular: 2, .separationsNonregular: 1, .nurses: 1, .careManagers: 0, .otherStaff: 1,
                .fteTotal: 9,
                .certifiedCareWorkers: 2, .staffAged60Plus: 3, .foreignStaff: 0, .vacancies: 1,
            ], 4),
        e(
            [
                .careStaffRegular: 20, .careStaffNonregular: 10, .hiresRegular: 5, .hiresNonregular: 0,
                .separationsRegular: 3, .separationsNonregular: 0, .nurses: 4, .careManagers: 2, .otherStaff: 4,
                .fteTotal: 36,
                .certifiedCareWorkers: 15, .staffAged60Plus: 10, .foreignStaff: 3,
            ], 1),
    ]
    a.aged75 = 2000
    // Workers: E1 has w1 (regular, 250,000, 40 years, 5 years' tenure, intention 1), w2 (regular, 300,000, 50, 10, 3),
    // w3 (non-regular, 150,000, 30, —, 2); E2 has w4 (regular, 200,000, 60, 20, 3), w5 (regular, no wage, no age, 1, 4).
    var w = WorkerGroup()
    var c1 = WorkerCluster()
    c1.workers = 3
    c1.wageSum = 550_000
    c1.wageN = 2
    c1.leave = 1
    c1.leaveN = 3
    c1.ageSum = 120
    c1.ageN = 3
    c1.tenureSum = 15
    c1.tenureN = 2
    var c2 = WorkerCluster()
    c2.workers = 2
    c2.wageSum = 200_000
    c2.wageN = 1
    c2.leave = 1
    c2.leaveN = 2
    c2.ageSum = 60
    c2.ageN = 1
    c2.tenureSum = 21
    c2.tenureN = 2
    w.clusters = [c1, c2]  // 2010000001, 2010000002
    w.regularWages = [250_000, 300_000, 200_000]
    a.workers = w
    return a
}

func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-4) -> Bool {
    a.map { abs($0 - b) <= tol * max(1, abs(b)) } ?? false
}

@Suite("indicators by hand")
struct IndicatorTests {
    let v = IndicatorComputer.compute(fixtureArea())

    @Test("counts and totals")
    func totals() {
        #expect(v[.respondents]?.value == 3)
        #expect(v[.careStaffTotal]?.value == 53)  // 15 + 8 + 30
        #expect(v[.allStaffTotal]?.value == 71)  // 21 + 10 + 40
        #expect(v[.fteTotal]?.value == 63.5)  // 18.5 + 9 + 36
        #expect(v[.careStaffTotal]?.n == 3)
        #expect(v[.careStaffPer1000Aged75]?.value == 26.5)  // 53 / 2000 × 1000
        #expect(v[.responseRate] == nil)  // no frame
    }

    @Test("ratios use available cases: a missing year-ago count drops E3 from turnover only")
    func ratios() {
        #expect(close(v[.turnoverRate]?.value, 20.833333))  // (2 + 3) / (14 + 10) × 100
        #expect(v[.turnoverRate]?.n == 2)
        #expect(close(v[.hiringRate]?.value, 16.666667))  // (3 + 1) / 24 × 100
        #expect(close(v[.nonregularShare]?.value, 35.849057))  // 19 / 53
        #expect(v[.nonregularShare]?.n == 3)
        #expect(close(v[.certifiedShare]?.value, 43.396226))  // 23 / 53
        #expect(close(v[.aged60PlusShare]?.value, 23.943662))  // 17 / 71
        #expect(close(v[.foreignShare]?.value, 5.633803))  // 4 / 71
        #expect(close(v[.vacancyRate]?.value, 11.538462))  // (2 + 1) / (17 + 9)
        #expect(v[.vacancyRate]?.n == 2)
        #expect(close(v[.shortageShare]?.value, 66.666667))  // answers 2 and 1 of 2, 4, 1
    }

    @Test("clustered ratio standard error against a hand calculation")
    func standardError() {
        // r = 5/24; residuals 2 − 14r = −0.916667 and 3 − 10r = 0.916667; Σd² = 1.680556;
        // SE = sqrt(2/1 · 1.680556) / 24 = 0.0763889 → 7.63889 points; ± 1.959964 × 7.63889 = ± 14.97198.
        #expect(close(v[.turnoverRate]?.ciLow, 5.861351))
        #expect(close(v[.turnoverRate]?.ciHigh, 35.805316))
        // The SE itself crosses to feedback, in percentage points, with how the interval was made.
        #expect(close(v[.turnoverRate]?.se, 7.638889))
        #expect(v[.turnoverRate]?.method == .linearised)
        // With a frame of N = 4: × sqrt(1 − 2/4).
        var a = fixtureArea()
        a.frameSize = 4
        let f = IndicatorComputer.compute(a)
        #expect(close(f[.turnoverRate]?.ciHigh, 20.833333 + 14.971982 * 0.5.squareRoot()))
        #expect(close(f[.responseRate]?.value, 75))
    }

    @Test("worker indicators, clustered by establishment")
    func workers() {
        #expect(v[.workersResponding]?.value == 5)
        #expect(v[.meanMonthlyWageRegular]?.value == 250_000)  // 750,000 / 3
        #expect(v[.meanMonthlyWageRegular]?.n == 3)
        // Clusters (550,000; 2) and (200,000; 1): residuals ±50,000; SE = sqrt(2 · 5e9) / 3 = 33,333.3.
        #expect(close(v[.meanMonthlyWageRegular]?.ciLow, 250_000 - 1.959964 * 33_333.333))
        #expect(v[.medianMonthlyWageRegular]?.value == 250_000)
        #expect(close(v[.intentionToLeaveShare]?.value, 40))  // two 3s of five answers
        #expect(v[.meanAge]?.value == 45)  // 180 / 4
        #expect(v[.meanTenureYears]?.value == 9)  // 36 / 4
    }

    @Test("intervals are empty when n < 2, values empty when nothing is available")
    func small() {
        var a = AreaData()
        a.establishments = [fixtureArea().establishments[0]]
        let one = IndicatorComputer.compute(a)
        #expect(one[.turnoverRate]?.value != nil)
        #expect(one[.turnoverRate]?.ciLow == nil)
        #expect(one[.shortageShare]?.ciLow == nil)
        let none = IndicatorComputer.compute(AreaData())
        #expect(none[.turnoverRate]?.value == nil)
        #expect(none[.turnoverRate]?.n == 0)
        #expect(none[.respondents]?.value == 0)
    }

    @Test(
        "Wilson intervals match Newcombe (1998), table I",
        arguments: [
            (81, 263, 25.53, 36.62), (15, 148, 6.24, 16.05), (0, 20, 0, 16.11), (1, 29, 0.61, 17.18),
            (29, 29, 88.30, 100),
        ])
    func wilson(_ k: Int, _ n: Int, _ low: Double, _ high: Double) {
        let w = Estimators.wilson(successes: k, trials: n)
        #expect(abs(w.low - low) < 0.01)
        #expect(abs(w.high - high) < 0.01)
    }

    @Test(
        "a share's SE is the binomial one at the Wilson centre (Agresti–Coull), never 0 at 0% or 100%",
        arguments: [(0, 20), (1, 29), (15, 148), (29, 29)])
    func shareStandardError(_ k: Int, _ n: Int) {
        let e = Estimators.share(successes: k, trials: n)
        let z2 = 1.959963984540054 * 1.959963984540054
        let centre = (Double(k) + z2 / 2) / (Double(n) + z2)
        #expect(close(e.se, (centre * (1 - centre) / (Double(n) + z2)).squareRoot() * 100))
        #expect(e.se! > 0)
        #expect(e.method == .wilson)
        // The Wilson interval's centre is the Agresti–Coull one.
        #expect(close((e.ciLow! + e.ciHigh!) / 2, centre * 100))
    }

    @Test("the median of an even count is the mean of the two middle values")
    func median() {
        #expect(Estimators.median([4, 1, 3, 2]) == 2.5)
        #expect(Estimators.median([]) == nil)
    }
}
