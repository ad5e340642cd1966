"""Reference values for the Fay-Herriot EBLUPs, from samplics' EblupAreaModel (REML).

    python3 -m venv /tmp/samp && /tmp/samp/bin/pip install samplics==0.6.1
    /tmp/samp/bin/python Tests/BansoAggregateTests/Reference/fay-herriot-reference.py

Prints, per case, the areas (direct estimate, sampling variance, two covariates and, in the third
case, b_i^2) and samplics' sigma2_v, beta, gamma, EBLUP and MSE, as the Swift literals
FayHerriotTests holds.

The third case scales each area's random effect by b_i = 1/sqrt(N_i) (samplics' b_const), as
Banso does with a frame of N_i establishments. samplics' MSE keeps the basic model's g3 there,
(1 - gamma_i)^2 * 2 / sum(1/v_j^2) / v_i; the expected MSE replaces it with the Prasad-Rao g3 of
the model with b_i, b_i^4 psi_i^2 / v_i^3 * 2 / sum(b_j^4 / v_j^2) (v_i = psi_i + sigma2_v b_i^2),
computed below from samplics' sigma2_v. The two agree when every b_i is 1.
"""
import numpy as np
from samplics.sae import EblupAreaModel
from samplics.utils.types import FitMethod

def case(name, seed, m, sigma_v, scaled=False):
    rng = np.random.default_rng(seed)
    x1 = np.round(rng.uniform(7, 12, m), 4)          # log population
    x2 = np.round(rng.uniform(0.25, 0.45, m), 4)     # 高齢化率
    psi = np.round(rng.uniform(0.5, 9.0, m), 4)      # sampling variances (small areas larger)
    # b_i^2 = 1/N_i for frames of 5-200 establishments; 1 in the basic model.
    b2 = 1 / rng.integers(5, 201, m) if scaled else np.ones(m)
    theta = 4 + 0.6 * x1 + 8 * x2 + rng.normal(0, sigma_v, m) * np.sqrt(b2)
    direct = np.round(theta + rng.normal(0, np.sqrt(psi)), 4)
    area = np.array([f"A{i:02d}" for i in range(m)])
    X = np.column_stack([x1, x2])
    model = EblupAreaModel(method=FitMethod.reml)
    model.fit(yhat=direct, X=X, area=area, error_std=np.sqrt(psi), b_const=np.sqrt(b2), tol=1e-12, maxiter=500)
    model.predict(X=X, area=area, b_const=np.sqrt(b2))
    s2 = model.re_std ** 2
    v = psi + s2 * b2
    gamma = s2 * b2 / v
    g3_samplics = (1 - gamma) ** 2 * (2 / np.sum(1 / v ** 2)) / v
    g3 = b2 ** 2 * psi ** 2 / v ** 3 * 2 / np.sum(b2 ** 2 / v ** 2)
    print(f"// {name}: seed {seed}, m = {m}, sigma_v = {sigma_v}")
    print("areas: [")
    for i in range(m):
        print(f"    ({float(direct[i])!r}, {float(psi[i])!r}, [{float(x1[i])!r}, {float(x2[i])!r}]),")
    print("]")
    if scaled:
        print(f"effectScales: {[float(b) for b in b2]!r}")
    print(f"sigma2_v: {float(s2)!r}")
    print(f"beta: {[float(b) for b in model.fixed_effects]!r}")
    print("predictions: [")
    for i, a in enumerate(area):
        mse = model.area_mse[a] - 2 * g3_samplics[i] + 2 * g3[i]
        print(f"    ({float(gamma[i])!r}, {float(model.area_est[a])!r}, {float(mse)!r}),")
    print("]")

case("between-area variation", 2025, 30, 1.5)
case("none: sigma2_v estimated at 0", 7, 25, 0.0)
case("effects scaled by 1/N: b_i^2 = 1/N_i", 11, 30, 12.0, scaled=True)
