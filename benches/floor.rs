//! The floor and the whole run, side by side (issue "close to the floor").
//!
//! * `floor/T-thread`: [`defsim::engine::floor`] draws exactly the random numbers that
//!   `defsim run scenarios/baseline.toml` draws (same streams, samplers and counts, same
//!   blocks on T threads) and sums them, nothing else;
//! * `simulate-only/T-thread`: [`defsim::engine::simulate_only`] draws the same numbers and
//!   also steps every year and computes every outcome, without the run's yearly sketches,
//!   columns or statistics: its excess over the floor is the model's step;
//! * `whole-run/T-thread`: the whole `defsim run scenarios/baseline.toml --no-plots`
//!   process (parse, simulate, statistics, write), and `whole-run/2-thread-plots` with its
//!   plots.
//!
//! 1,000,000 trials (set `DEFSIM_BENCH_TRIALS` to change it). Run with
//! `cargo bench --bench floor`; the README's speed table divides the whole run by the floor
//! measured in the same command.

use std::path::Path;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use defsim::engine::{self, RunOptions};
use defsim::model::{ViabilityModel, Worker};

fn trials() -> u64 {
    std::env::var("DEFSIM_BENCH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn baseline_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")
}

/// Every shock drawn for the year, summed.
fn year_draws(w: &Worker) -> f64 {
    let d = &w.draws;
    d.macro_eps
        + d.sanctions_u
        + d.support_u
        + d.gold_eps
        + d.power_eps
        + d.conflict_eps
        + d.disrupt_u.iter().sum::<f64>()
        + d.loss_u.iter().sum::<f64>()
}

fn floor_and_whole_run(c: &mut Criterion) {
    let trials = trials();
    let scenario = defsim::model::load(&baseline_path(), &[]).expect("the baseline loads");
    let model = ViabilityModel::new(&scenario);
    let mut group = c.benchmark_group("baseline-1M");
    group.throughput(Throughput::Elements(trials));
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    for threads in [1, 2] {
        let opts = RunOptions {
            seed: scenario.seed,
            trials,
            threads,
            keep_inputs: engine::KeepInputs::None,
            progress: false,
        };
        group.bench_function(format!("floor/{threads}-thread"), |b| {
            b.iter(|| engine::floor(&model, &opts, year_draws))
        });
        group.bench_function(format!("simulate-only/{threads}-thread"), |b| {
            b.iter(|| engine::simulate_only(&model, &opts))
        });
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let run = |threads: usize, plots: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_defsim"));
        cmd.arg("run")
            .arg(baseline_path())
            .args(["--trials", &trials.to_string()])
            .args(["--threads", &threads.to_string()])
            .arg("--out")
            .arg(out.path().join("run"));
        if !plots {
            cmd.arg("--no-plots");
        }
        let status = cmd.output().expect("defsim runs").status;
        assert!(status.success(), "defsim run failed");
    };
    for threads in [1, 2] {
        group.bench_function(format!("whole-run/{threads}-thread"), |b| {
            b.iter(|| run(threads, false))
        });
    }
    group.bench_function("whole-run/2-thread-plots", |b| b.iter(|| run(2, true)));
    group.finish();
}

criterion_group!(benches, floor_and_whole_run);
criterion_main!(benches);
