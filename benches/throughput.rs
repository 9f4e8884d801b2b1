//! Trials per second of the baseline scenario: the simulation alone (engine + model), on one
//! thread and on every core, the statistics that follow it, the run's drivers (rank
//! regressions on the inputs of the first 100,000 trials, which the run keeps), and the
//! run's plots (every
//! chart of `defsim run`, PNG and SVG, into a temporary folder, on 1 and 2 threads: the
//! plotting phase alone). Run with `cargo bench --bench throughput`;
//! `benches/whole-process.sh` times the whole `defsim run`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use defsim::analysis::run::RunSummary;
use defsim::engine::{self, RunOptions};
use defsim::model::ViabilityModel;

const TRIALS: u64 = 100_000;

fn baseline() -> defsim::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    defsim::model::load(&path, &[]).expect("the baseline loads")
}

/// [`TRIALS`] trials with seed 1 on `threads` threads (0: every core), no progress bar.
fn options(threads: usize) -> RunOptions {
    RunOptions {
        seed: 1,
        trials: TRIALS,
        threads,
        // What `defsim run` keeps: its drivers' inputs.
        keep_inputs: defsim::engine::KeepInputs::First(100_000),
        progress: false,
    }
}

fn simulate(c: &mut Criterion) {
    let scenario = baseline();
    let model = ViabilityModel::new(&scenario);
    let mut group = c.benchmark_group("baseline");
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(10);
    for threads in [1, 2] {
        let opts = options(threads);
        group.bench_function(format!("simulate/{threads}-thread"), |b| {
            b.iter(|| engine::run(&model, &opts).expect("finite"))
        });
    }
    let results = engine::run(&model, &options(0)).expect("finite");
    group.bench_function("summarise", |b| {
        b.iter(|| RunSummary::new(&scenario, &results))
    });
    group.finish();
}

/// The cost of a run's drivers (on by default): the rank regressions on the inputs of the
/// first 100,000 trials (which the run keeps as it draws them), beside the simulation of
/// those trials above.
fn drivers(c: &mut Criterion) {
    let scenario = baseline();
    let model = ViabilityModel::new(&scenario);
    let opts = RunOptions {
        keep_inputs: engine::KeepInputs::All,
        ..options(0)
    };
    let mut results = engine::run(&model, &opts).expect("finite");
    let inputs = results.inputs.take().expect("kept");
    let mut group = c.benchmark_group("drivers");
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(10);
    group.bench_function("rank-regressions", |b| {
        b.iter(|| defsim::analysis::drivers::drivers(&results, inputs.clone()))
    });
    group.finish();
}

/// The plotting phase of a run alone: [`defsim::export::plots::run_plots`] on the summary and
/// outcome columns of [`TRIALS`] trials, on 1 and 2 threads.
fn plots(c: &mut Criterion) {
    use defsim::export::plots::{Thresholds, Trials, run_plots};
    let scenario = baseline();
    let model = ViabilityModel::new(&scenario);
    let results = engine::run(&model, &options(0)).expect("finite");
    let summary = RunSummary::new(&scenario, &results);
    let thresholds = Thresholds::from_scenario(&results.schema, &scenario);
    let out = tempfile::tempdir().expect("a temporary folder");
    let mut group = c.benchmark_group("plots");
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        group.bench_function(format!("run-plots/{threads}-thread"), |b| {
            b.iter(|| {
                pool.install(|| {
                    run_plots(
                        &summary,
                        Trials::Columns(&results),
                        &thresholds,
                        &out.path().join("plots"),
                    )
                    .expect("the plots are written")
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, simulate, drivers, plots);
criterion_main!(benches);
