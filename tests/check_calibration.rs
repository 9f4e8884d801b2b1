//! Is `defsim check` calibrated? Pairs of independent runs of the real baseline (nothing
//! changed between them) compared by `check::verdict`: the share of comparisons beyond
//! |z| > 1.96 must be the nominal 5%, and the whole check's false alarms at most `alpha`.
//!
//! `cargo test --release --test check_calibration -- --ignored --nocapture` (about 1,000
//! runs of 20,000 trials: a few minutes on two cores).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use defsim::analysis::check::{Method, verdict};
use defsim::analysis::run::RunSummary;
use defsim::engine::{self, Model, RunOptions};
use defsim::model::{self, ViabilityModel};

/// Independent pairs of runs (1,000 runs, every seed distinct).
const PAIRS: u64 = 500;
/// Trials per run.
const TRIALS: u64 = 20_000;
/// |z| beyond which a comparison counts as a false alarm at the nominal 5%.
const Z05: f64 = 1.959_963_984_540_054;
const STATS: [&str; 7] = ["p05", "p10", "p25", "p50", "p75", "p90", "p95"];
const QS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// Exceedances out of comparisons.
#[derive(Default, Clone, Copy)]
struct Tally {
    over: u64,
    of: u64,
}

impl Tally {
    fn add(&mut self, z: f64) {
        self.of += 1;
        self.over += u64::from(z > Z05);
    }

    fn share(self) -> f64 {
        self.over as f64 / self.of.max(1) as f64
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>6} of {:>6} = {:5.2}%",
            self.over,
            self.of,
            100.0 * self.share()
        )
    }
}

#[test]
#[ignore = "a calibration measurement: 1,000 runs of the baseline at 20,000 trials"]
fn quantile_tests_of_continuous_outcomes_hold_the_nominal_rate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = model::load(&root.join("scenarios/baseline.toml"), &[]).unwrap();
    let model = ViabilityModel::new(&scenario);
    // Which outcomes are discrete (0/1 or integer-valued): the model's schema says.
    let discrete: BTreeMap<String, bool> = model
        .schema()
        .outcomes
        .iter()
        .map(|o| (o.name.clone(), o.is_discrete()))
        .collect();
    let run = |seed: u64| -> RunSummary {
        let opts = RunOptions {
            seed,
            trials: TRIALS,
            threads: 0,
            keep_inputs: defsim::engine::KeepInputs::None,
            progress: false,
        };
        let results = engine::run(&model, &opts).unwrap();
        RunSummary::new(&scenario, &results)
    };

    let started = Instant::now();
    let mut per_stat = [Tally::default(); 7];
    let mut pooled = Tally::default();
    let mut cells: BTreeMap<(String, &str), Tally> = BTreeMap::new();
    // Per outcome quantile: sums of the squared difference and of its predicted variance
    // se0^2 + se1^2 (their ratio's square root should be 1).
    let mut spread: BTreeMap<(String, &str), (f64, f64)> = BTreeMap::new();
    let (mut means, mut proportions, mut discrete_quantiles) =
        (Tally::default(), Tally::default(), Tally::default());
    let (mut by_se, mut by_rank) = (Tally::default(), Tally::default());
    // Each pair's exceedances: the comparisons within a pair are strongly dependent (a mean
    // and its quantiles, outcomes of one model), so the pooled share's Monte Carlo error
    // comes from the spread of the per-pair counts, not from the number of comparisons.
    let mut per_pair: Vec<f64> = Vec::new();
    let alphas = [0.2, 0.05, 0.01];
    let mut family_wise = [0u64; 3];
    for pair in 0..PAIRS {
        // Seeds 7,001, 7,002, ...: distinct, and none the scenario's own.
        let (a, b) = (run(7_001 + 2 * pair), run(7_002 + 2 * pair));
        assert!(a.seed != b.seed);
        for (name, s) in a.outcomes.iter().chain(&b.outcomes) {
            // The schema's discrete outcomes really take whole values (the extremes are
            // values; type-7 quantiles may interpolate between two of them).
            if discrete[name] {
                let points = [s.min, s.max];
                assert!(
                    points.iter().flatten().all(|x| x.fract() == 0.0),
                    "{name} is declared integer-valued"
                );
            }
        }
        let v = verdict(&a, &b, alphas[1]);
        let before = pooled.over;
        for item in &v.items {
            match (item.stat.as_str(), item.method) {
                ("mean", Method::MeanZ) => means.add(item.z),
                ("p" | "n", Method::TwoProportion) => proportions.add(item.z),
                (stat, _) if STATS.contains(&stat) => {
                    if discrete[&item.name] {
                        discrete_quantiles.add(item.z);
                        continue;
                    }
                    let k = STATS.iter().position(|s| *s == stat).unwrap();
                    per_stat[k].add(item.z);
                    pooled.add(item.z);
                    cells
                        .entry((item.name.clone(), STATS[k]))
                        .or_default()
                        .add(item.z);
                    if item.method == Method::QuantileSe {
                        by_se.add(item.z);
                        let se = |s: &RunSummary| s.quantile_se[&item.name].at(QS[k]).unwrap();
                        let e = spread.entry((item.name.clone(), STATS[k])).or_default();
                        e.0 += item.diff.unwrap().powi(2);
                        e.1 += se(&a).powi(2) + se(&b).powi(2);
                    } else {
                        by_rank.add(item.z);
                    }
                }
                _ => {}
            }
        }
        per_pair.push((pooled.over - before) as f64);
        for (k, &alpha) in alphas.iter().enumerate() {
            family_wise[k] += u64::from(!verdict(&a, &b, alpha).holds);
        }
    }
    let seconds = started.elapsed().as_secs_f64();

    println!(
        "{PAIRS} pairs of independent baseline runs at {TRIALS} trials ({seconds:.0} s), \
         share of comparisons with |z| > 1.96:"
    );
    for (stat, t) in STATS.iter().zip(per_stat) {
        println!("  continuous {stat}: {t}");
    }
    let mean = per_pair.iter().sum::<f64>() / PAIRS as f64;
    let var = per_pair.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (PAIRS - 1) as f64;
    let se = (var / PAIRS as f64).sqrt() / (pooled.of / PAIRS) as f64;
    println!(
        "  continuous, pooled: {pooled} (Monte Carlo se {:.2} points, from the per-pair counts)",
        100.0 * se
    );
    println!("    compared by their standard errors: {by_se}");
    println!("    compared by ranks (an atom holds the quantile): {by_rank}");
    println!("  discrete quantiles (exempt): {discrete_quantiles}");
    println!("  means: {means}");
    println!("  proportions: {proportions}");
    let mut worst: Vec<_> = cells.iter().collect();
    worst.sort_by(|x, y| y.1.share().total_cmp(&x.1.share()));
    // Every outcome quantile with DEFSIM_CALIBRATION_CELLS=all, else the extremes.
    let all = std::env::var("DEFSIM_CALIBRATION_CELLS").is_ok_and(|v| v == "all");
    let shown = if all { worst.len() } else { 8 };
    println!("  highest outcome quantiles:");
    for ((name, stat), t) in worst.iter().take(shown) {
        println!("    {name} {stat}: {t}");
    }
    println!("  lowest outcome quantiles:");
    for ((name, stat), t) in worst.iter().rev().take(shown.min(8)) {
        println!("    {name} {stat}: {t}");
    }
    let mut ratios: Vec<_> = spread
        .iter()
        .filter(|(_, (_, v))| *v > 0.0)
        .map(|(cell, (d, v))| (cell, (d / v).sqrt()))
        .collect();
    ratios.sort_by(|x, y| y.1.total_cmp(&x.1));
    println!(
        "  observed sd of the difference over its predicted se (1 when calibrated; \
         relative Monte Carlo sd {:.1}%):",
        100.0 / (2.0 * PAIRS as f64).sqrt()
    );
    for ((name, stat), r) in ratios.iter().take(if all { ratios.len() } else { 5 }) {
        println!("    {name} {stat}: {r:.3}");
    }
    if !all {
        println!("    ...");
        for ((name, stat), r) in ratios.iter().rev().take(5).rev() {
            println!("    {name} {stat}: {r:.3}");
        }
    }
    for (alpha, failed) in alphas.iter().zip(family_wise) {
        println!(
            "  whole check at alpha {alpha}: {failed} of {PAIRS} pairs fail ({:.3})",
            failed as f64 / PAIRS as f64
        );
    }

    let share = pooled.share();
    assert!(
        (0.035..=0.065).contains(&share),
        "pooled false-alarm rate {share} outside [3.5%, 6.5%]"
    );
    // Family-wise: at most alpha, up to binomial noise over the pairs (2.33 sd: a one-sided
    // 1% test of "the rate exceeds alpha").
    for (alpha, failed) in alphas.iter().zip(family_wise) {
        let bound = alpha + 2.33 * (alpha * (1.0 - alpha) / PAIRS as f64).sqrt();
        let rate = failed as f64 / PAIRS as f64;
        assert!(
            rate <= bound,
            "the whole check fails {rate} of pairs at alpha {alpha} (bound {bound})"
        );
    }
}
