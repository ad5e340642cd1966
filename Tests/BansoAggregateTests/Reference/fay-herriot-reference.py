"""Reference values for the Fay-Herriot EBLUPs, from samplics' EblupAreaModel (REML).

    python3 -m venv /tmp/samp && /tmp/samp/bin/pip install samplics==0.6.1
    /tmp/samp/bin/python Tests/BansoAggregateTests/Reference/fay-herriot-reference.py

Prints, per case, the areas (direct estimate, sampling variance, two covariates) and samplics'
sigma2_v, beta, gamma, EBLUP and MSE, as the Swift literals FayHerriotTests holds.
"""
import numpy as np
from samplics.sae import EblupAreaModel
from samplics.utils.types import FitMethod

def case(name, seed, m, sigma_v):
    rng = np.random.default_rng(seed)
    x1 = np.round(rng.uniform(7, 12, m), 4)          # log population
    x2 = np.round(rng.uniform(0.25, 0.45, m), 4)     # 高齢化率
    psi = np.round(rng.uniform(0.5, 9.0, m), 4)      # sampling variances (small areas larger)
    theta = 4 + 0.6 * x1 + 8 * x2 + rng.normal(0, sigma_v, m)
    direct = np.round(theta + rng.normal(0, np.sqrt(psi)), 4)
    area = np.array([f"A{i:02d}" for i in range(m)])
    X = np.column_stack([x1, x2])
    model = EblupAreaModel(method=FitMethod.reml)
    model.fit(yhat=direct, X=X, area=area, error_std=np.sqrt(psi), tol=1e-12, maxiter=500)
    model.predict(X=X, area=area)
    s2 = model.re_std ** 2
    gamma = s2 / (s2 + psi)
    print(f"// {name}: seed {seed}, m = {m}, sigma_v = {sigma_v}")
    print("areas: [")
    for i in range(m):
        print(f"    ({float(direct[i])!r}, {float(psi[i])!r}, [{float(x1[i])!r}, {float(x2[i])!r}]),")
    print("]")
    print(f"sigma2_v: {float(s2)!r}")
    print(f"beta: {[float(b) for b in model.fixed_effects]!r}")
    print("predictions: [")
    for i, a in enumerate(area):
        print(f"    ({float(gamma[i])!r}, {float(model.area_est[a])!r}, {float(model.area_mse[a])!r}),")
    print("]")

case("between-area variation", 2025, 30, 1.5)
case("none: sigma2_v estimated at 0", 7, 25, 0.0)
