//! Known-answer checks of the sensitivity machinery on a tiny model with an analytic answer:
//! `y = a x1 + b x2` with independent uniform inputs on [0, 1], whose first-order and total
//! Sobol indices are both a²/(a² + b²) and b²/(a² + b²); and Latin hypercube sampling
//! against plain Monte Carlo on the variance of a mean estimate.

use defsim::engine::{
    self, LatinHypercube, Model, Outcome, OutcomeKind, RunOptions, Saltelli, Schema, Streams,
};
use defsim::stats::sobol;
use rand::RngExt;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

/// `y = a x1 + b x2 + c x1²`, inputs uniform on [0, 1], one year, no shocks.
struct Linear {
    a: f64,
    b: f64,
    c: f64,
    schema: Schema,
}

impl Linear {
    fn new(a: f64, b: f64, c: f64) -> Linear {
        Linear {
            a,
            b,
            c,
            schema: Schema {
                inputs: vec!["x1".into(), "x2".into()],
                outcomes: vec![Outcome::named("y", OutcomeKind::Continuous)],
                series: vec![],
                years: vec![2025],
                streams: vec!["x1".into(), "x2".into()],
            },
        }
    }
}

impl Model for Linear {
    type Worker = [f64; 2];

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn worker(&self) -> [f64; 2] {
        [0.0; 2]
    }

    fn draw_params(&self, w: &mut [f64; 2], streams: &mut Streams, inputs: &mut [f64]) {
        for (i, x) in w.iter_mut().enumerate() {
            *x = streams.get(i).random::<f64>();
            inputs[i] = *x;
        }
    }

    fn draw_params_at(&self, w: &mut [f64; 2], unit: &[f64], inputs: &mut [f64]) {
        // Uniform on [0, 1]: the inverse CDF is the identity.
        w.copy_from_slice(unit);
        inputs.copy_from_slice(unit);
    }

    fn draw_year(&self, _: &mut [f64; 2], _: &mut Streams, _: usize) {}

    fn step(&self, _: &mut [f64; 2], _: usize, _: &mut [f64]) {}

    fn outcomes(&self, w: &mut [f64; 2], out: &mut [f64]) {
        out[0] = self.a * w[0] + self.b * w[1] + self.c * w[0] * w[0];
    }
}

fn opts(seed: u64, trials: u64) -> RunOptions {
    RunOptions {
        seed,
        trials,
        threads: 0,
        keep_inputs: defsim::engine::KeepInputs::All,
        progress: false,
    }
}

#[test]
fn sobol_indices_of_a_linear_model_contain_the_exact_values() {
    let (a, b) = (2.0, 1.0);
    let model = Linear::new(a, b, 0.0);
    let n = 4096u64;
    let design = Saltelli::new(n, 2, 17);
    let r = engine::run_design(&model, &opts(17, 0), &design).unwrap();
    assert_eq!(r.trials, n * 4, "cost N (k + 2)");
    let f = &r.outcomes[0];
    let n = n as usize;
    let fab: Vec<&[f64]> = (0..2).map(|i| &f[(2 + i) * n..(3 + i) * n]).collect();
    let idx = sobol::sobol_indices(&f[..n], &f[n..2 * n], &fab, sobol::RESAMPLES, 17);
    let exact = [a * a / (a * a + b * b), b * b / (a * a + b * b)];
    for (i, e) in idx.iter().enumerate() {
        for (what, v, ci) in [("S", e.first, e.first_ci95), ("ST", e.total, e.total_ci95)] {
            assert!(
                ci[0] <= exact[i] && exact[i] <= ci[1],
                "{what}_{i} = {v} [{}, {}], exact {}",
                ci[0],
                ci[1],
                exact[i]
            );
            assert!(ci[1] - ci[0] < 0.1, "{what}_{i}: interval too wide: {ci:?}");
        }
    }
}

#[test]
fn sobol_total_exceeds_first_order_with_an_interaction_free_nonlinearity() {
    // y = x1 + x1² + 0.5 x2: still additive, so S_i = ST_i; exact from the variances.
    let model = Linear::new(1.0, 0.5, 1.0);
    let design = Saltelli::new(4096, 2, 3);
    let r = engine::run_design(&model, &opts(3, 0), &design).unwrap();
    let f = &r.outcomes[0];
    let n = 4096;
    let fab: Vec<&[f64]> = (0..2).map(|i| &f[(2 + i) * n..(3 + i) * n]).collect();
    let idx = sobol::sobol_indices(&f[..n], &f[n..2 * n], &fab, 200, 3);
    // Var(x + x²) for x ~ U(0,1): E = 1/2 + 1/3; E[(x+x²)²] = 1/3 + 2/4 + 1/5.
    let v1 = 1.0 / 3.0 + 0.5 + 0.2 - (0.5f64 + 1.0 / 3.0).powi(2);
    let v2 = 0.25 / 12.0;
    let s1 = v1 / (v1 + v2);
    assert!(
        idx[0].first_ci95[0] <= s1 && s1 <= idx[0].first_ci95[1],
        "{:?} vs {s1}",
        idx[0]
    );
    assert!(
        idx[0].total_ci95[0] <= s1 && s1 <= idx[0].total_ci95[1],
        "{:?} vs {s1}",
        idx[0]
    );
}

/// The estimated mean of y over `trials` trials.
fn mean_of(model: &Linear, seed: u64, trials: u64, lhs: bool) -> f64 {
    let o = opts(seed, trials);
    let r = if lhs {
        engine::run_design(model, &o, &LatinHypercube::new(trials, 2, seed)).unwrap()
    } else {
        engine::run(model, &o).unwrap()
    };
    r.outcomes[0].iter().sum::<f64>() / trials as f64
}

#[test]
fn latin_hypercube_lowers_the_variance_of_a_mean_estimate() {
    // 50 runs of 200 trials each way. For an additive model, LHS removes the variance of the
    // main effects from the mean estimate (McKay, Beckman & Conover 1979; Stein 1987), so the
    // ratio Var_MC / Var_LHS is large. Under the null of equal variances the ratio of the two
    // sample variances is F(49, 49): require it to exceed the 0.999 quantile (about 2.4).
    let model = Linear::new(2.0, 1.0, 1.0);
    let runs = 50;
    let var = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
    };
    let mc: Vec<f64> = (0..runs)
        .map(|s| mean_of(&model, 1000 + s, 200, false))
        .collect();
    let lhs: Vec<f64> = (0..runs)
        .map(|s| mean_of(&model, 1000 + s, 200, true))
        .collect();
    let ratio = var(&mc) / var(&lhs);
    let crit = FisherSnedecor::new(49.0, 49.0).unwrap().inverse_cdf(0.999);
    assert!(
        ratio > crit,
        "Var(MC)/Var(LHS) = {ratio}, F(49,49) 0.999 quantile {crit}"
    );
    // Both estimate the same mean, 2/2 + 1/2 + 1/3.
    let exact = 1.0 + 0.5 + 1.0 / 3.0;
    let m = lhs.iter().sum::<f64>() / runs as f64;
    assert!((m - exact).abs() < 5.0 * (var(&lhs) / runs as f64).sqrt() + 1e-9);
}

#[test]
fn latin_hypercube_runs_are_identical_whatever_the_threads() {
    let model = Linear::new(2.0, 1.0, 0.0);
    let d = LatinHypercube::new(10_000, 2, 5);
    let mut o = opts(5, 10_000);
    o.threads = 1;
    let one = engine::run_design(&model, &o, &d).unwrap();
    o.threads = 2;
    let two = engine::run_design(&model, &o, &d).unwrap();
    assert_eq!(one.outcomes, two.outcomes);
    assert_eq!(one.inputs, two.inputs);
}
