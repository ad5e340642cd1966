"""Bias study for the weighted and small-area estimates (#30).

Generates N prefectures with banso-synth (service-group response rates of 40-90%, scaled per
municipality; `--population` writes every frame establishment's true values), runs the pipeline
on each, and measures against the population's truth:

  * the prefecture's 離職率 and 採用率: mean absolute error of the unweighted figure (respondents'
    own sums, what `[weights] method = "none"` publishes) and of the weighted one;
  * municipalities with 3-9 respondents (fewer are suppressed and get no estimate): RMSE of the direct (weighted) 離職率/採用率/欠員率
    and of the small-area estimates, and how often the EBLUP's 95% interval covers the truth;
  * for scale, a yardstick no area-level model reaches: the prediction estimator that adds to the
    respondents' own figures, for each establishment that did not answer, the mean of the
    respondents of its service group across the prefecture (a unit-level model with the service
    group as its only covariate, knowing which frame establishment answered).

Usage: python3 benchmarks/bias_study.py BANSO_BIN_FOLDER WORK_FOLDER [N]
Prints a table and writes benchmarks/bias_study.json.
"""
import csv, json, math, os, subprocess, sys

bins, work = sys.argv[1], sys.argv[2]
n_pref = int(sys.argv[3]) if len(sys.argv) > 3 else 20
os.makedirs(work, exist_ok=True)

def num(x):
    return float(x) if x not in ("", None) else None

RATIOS = {
    "turnover_rate": (("separations_regular", "separations_nonregular"), ("care_staff_year_ago",)),
    "hiring_rate": (("hires_regular", "hires_nonregular"), ("care_staff_year_ago",)),
    "vacancy_rate": (("vacancies",), ("care_staff_regular", "care_staff_nonregular", "vacancies")),
}

def ratio(rows, indicator):
    ys, xs = RATIOS[indicator]
    sy = sx = 0.0
    for r in rows:
        y = [num(r[c]) for c in ys]
        x = [num(r[c]) for c in xs]
        if None in y or None in x:
            continue
        sy += sum(y)
        sx += sum(x)
    return 100 * sy / sx if sx > 0 else None

pref_err = {("unweighted", i): [] for i in ("turnover_rate", "hiring_rate")}
pref_err.update({("weighted", i): [] for i in ("turnover_rate", "hiring_rate")})
pref_signed, pref_se = {}, {}
# The same weighting without collapsing (N/n in every municipality x service group cell that has a
# respondent), computed from the population's response flags: how far any weighting of these
# cells can go, so that the pipeline's figure can be read against the sampling error's floor.
pref_uncollapsed = {i: [] for i in ("turnover_rate", "hiring_rate")}
small = {"direct": [], "eblup": [], "prediction": [], "covered": 0, "count": 0}
per_indicator = {i: {"direct": [], "eblup": []} for i in RATIOS}
for seed in range(1, n_pref + 1):
    data = f"{work}/pref-{seed}"
    if not os.path.exists(data + "/.complete"):
        subprocess.run(
            [f"{bins}/banso-synth", "--seed", str(seed), "--establishments", "1500", "--workers", "3000",
             "--population", f"{data}-population.csv", "--out", data] + os.environ.get("BIAS_SYNTH_ARGS", "").split(),
            check=True, stdout=subprocess.DEVNULL)
        open(data + "/.complete", "w").close()
    toml = f"{work}/pref-{seed}.toml"
    with open(toml, "w") as f:
        f.write(f'''name = "bias-{seed}"
wave = "2025"
prefecture_code = "20"
output = "{work}/out-{seed}"
input = "{os.path.abspath(data)}"
history = "{work}/history-{seed}.sqlite"
[survey_window]
start = "2025-09-01"
end = "2025-11-30"
[inputs]
master = "municipalities.csv"
frame = "frame.csv"
[inputs.establishments]
paths = ["establishments_*.csv"]
[inputs.establishments.headers]
"介護職員（正規）" = "care_staff_regular"
[inputs.workers]
paths = ["workers_*.csv"]
{os.environ.get("BIAS_EXTRA", "")}
''')
    subprocess.run([f"{bins}/banso", "run", toml, "--force", "--quiet"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = f"{work}/out-{seed}/latest"
    pop = list(csv.DictReader(open(f"{data}-population.csv")))
    clean = list(csv.DictReader(open(f"{run}/clean/establishments.csv")))
    ind = {(r["municipality_code"], r["indicator"]): r for r in csv.DictReader(open(f"{run}/internal/indicators.csv"))}
    sae = {(r["municipality_code"], r["indicator"]): r for r in csv.DictReader(open(f"{run}/internal/small_area.csv"))}
    for i in ("turnover_rate", "hiring_rate"):
        truth = ratio(pop, i)
        pref_err[("unweighted", i)].append(abs(ratio(clean, i) - truth))
        pref_err[("weighted", i)].append(abs(float(ind[("200000", i)]["value"]) - truth))
        pref_signed.setdefault(i, []).append(float(ind[("200000", i)]["value"]) - truth)
        pref_se.setdefault(i, []).append(float(ind[("200000", i)]["se"]))
        ys, xs = RATIOS[i]
        cells = {}
        for r in pop:
            c = cells.setdefault((r["municipality_code"], r["service_group"]), [0, 0, 0.0, 0.0])
            c[0] += 1
            if r["responded"] == "true":
                c[1] += 1
                c[2] += sum(num(r[k]) for k in ys)
                c[3] += sum(num(r[k]) for k in xs)
        ey = sum(c[0] / c[1] * c[2] for c in cells.values() if c[1])
        ex = sum(c[0] / c[1] * c[3] for c in cells.values() if c[1])
        pref_uncollapsed[i].append(abs(100 * ey / ex - truth))
    # Respondents' means per service group, across the prefecture, for the prediction yardstick.
    group_means = {}
    for i in RATIOS:
        ys, xs = RATIOS[i]
        sums = {}
        for r in pop:
            if r["responded"] == "true":
                t = sums.setdefault(r["service_group"], [0.0, 0.0, 0])
                t[0] += sum(num(r[c]) for c in ys)
                t[1] += sum(num(r[c]) for c in xs)
                t[2] += 1
        group_means[i] = {g: (t[0] / t[2], t[1] / t[2]) for g, t in sums.items()}

    def prediction(rows, i):
        ys, xs = RATIOS[i]
        sy = sx = 0.0
        for r in rows:
            if r["responded"] == "true":
                sy += sum(num(r[c]) for c in ys)
                sx += sum(num(r[c]) for c in xs)
            else:
                my, mx = group_means[i][r["service_group"]]
                sy += my
                sx += mx
        return 100 * sy / sx if sx > 0 else None

    munis = sorted({r["municipality_code"] for r in pop})
    for m in munis:
        n = ind.get((m, "respondents"))
        # Fewer than 3 respondents: threshold-suppressed, no estimate is published for them.
        if n is None or n["value"] in ("", None) or not 3 <= float(n["value"]) < 10:
            continue
        for i in RATIOS:
            d, s = ind.get((m, i)), sae.get((m, i))
            truth = ratio([r for r in pop if r["municipality_code"] == m], i)
            if truth is None or d is None or d["value"] == "" or s is None or float(s["variance"]) == 0:
                continue
            e = float(s["benchmarked"])
            small["direct"].append((float(d["value"]) - truth) ** 2)
            small["eblup"].append((e - truth) ** 2)
            small["prediction"].append((prediction([r for r in pop if r["municipality_code"] == m], i) - truth) ** 2)
            per_indicator[i]["direct"].append((float(d["value"]) - truth) ** 2)
            per_indicator[i]["eblup"].append((e - truth) ** 2)
            half = 1.959963984540054 * math.sqrt(float(s["mse"]))
            small["count"] += 1
            small["covered"] += 1 if e - half <= truth <= e + half else 0

def mean(v):
    return sum(v) / len(v) if v else float("nan")

result = {"prefectures": n_pref, "prefecture": {}, "small_areas": {}}
print(f"{n_pref} generated prefectures (1,500 respondents each, response 40-90% by service group)")
print("prefecture figure            MAE unweighted  MAE weighted  reduction")
for i in ("turnover_rate", "hiring_rate"):
    u, w = mean(pref_err[("unweighted", i)]), mean(pref_err[("weighted", i)])
    b, se = mean(pref_signed[i]), mean(pref_se[i])
    o = mean(pref_uncollapsed[i])
    result["prefecture"][i] = {"mae_unweighted": u, "mae_weighted": w, "reduction": 1 - w / u,
                               "mean_error_weighted": b, "mean_se_weighted": se,
                               "mae_uncollapsed_cells": o, "reduction_uncollapsed_cells": 1 - o / u}
    # An unbiased normal estimator's mean absolute error is sqrt(2/pi) = 0.80 of its SE.
    print(f"{i:28s} {u:14.3f} {w:13.3f} {100 * (1 - w / u):9.1f}%   weighted: mean error {b:+.3f}, "
          f"0.80 x mean SE = {math.sqrt(2 / math.pi) * se:.3f}; "
          f"uncollapsed cells: MAE {o:.3f} ({100 * (1 - o / u):.1f}%)")
rd, re = math.sqrt(mean(small["direct"])), math.sqrt(mean(small["eblup"]))
rp = math.sqrt(mean(small["prediction"]))
cov = small["covered"] / small["count"] if small["count"] else float("nan")
result["small_areas"] = {"cells": small["count"], "rmse_direct": rd, "rmse_eblup": re,
                         "rmse_reduction": 1 - re / rd, "coverage_95": cov, "by_indicator": {},
                         "rmse_prediction_yardstick": rp, "prediction_reduction": 1 - rp / rd}
print(f"municipalities with 3-9 respondents: {small['count']} cells")
for i in RATIOS:
    a, b = math.sqrt(mean(per_indicator[i]["direct"])), math.sqrt(mean(per_indicator[i]["eblup"]))
    result["small_areas"]["by_indicator"][i] = {"rmse_direct": a, "rmse_eblup": b}
    print(f"  {i:26s} RMSE direct {a:7.3f}  EBLUP {b:7.3f}")
print(f"  all: RMSE direct {rd:.3f}, EBLUP {re:.3f} ({100 * (1 - re / rd):.1f}% lower); 95% coverage {100 * cov:.1f}%")
print(f"  yardstick (unit-level prediction by service group): RMSE {rp:.3f} ({100 * (1 - rp / rd):.1f}% lower)")
json.dump(result, open(os.path.join(os.path.dirname(__file__), "bias_study.json"), "w"), indent=2, sort_keys=True)
