use std::path::Path;

use super::*;
use crate::engine::{KeepInputs, RunOptions};

/// A streaming run over the drivers' last blocks and the ones after them takes two calls of
/// [`stream::stream`] (the drivers' blocks with their rows, then the rest); the one bar the
/// run shows counts the trials of both, so it runs once from 0 to all of the run's trials.
#[test]
fn one_progress_bar_counts_the_trials_of_both_calls() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let scenario = crate::model::load(&path, &[]).unwrap();
    let model = ViabilityModel::new(&scenario);
    let schema = model.schema().clone();
    let o = RunOptions {
        seed: 3,
        trials: 150_000,
        threads: 0,
        keep_inputs: KeepInputs::None,
        progress: false,
    };
    let split = stream::block_count(DRIVER_TRIALS);
    let blocks = split - 2..split + 3;
    let todo = stream::blocks_trials(&blocks, o.trials);
    let bar = stream::progress_bar(false, todo.end - todo.start);
    let mut stats = StreamStats::new(&schema);
    let mut sample = DriverSample::new(&schema, todo.start);
    let mut seen = Vec::new();
    let next = stream_keeping_drivers(
        &model,
        &o,
        None,
        blocks.clone(),
        (&mut stats, &mut sample),
        false,
        (stream::WAVE_BLOCKS, false),
        &bar,
        |_, _, next, _| {
            seen.push((next, bar.position()));
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert_eq!(next, blocks.end);
    let at = |b: u64| stream::blocks_trials(&(blocks.start..b), o.trials).count() as u64;
    // Two calls: the first ends at the drivers' last block, the second at the end; the bar
    // counted on through both.
    assert_eq!(seen, [(split, at(split)), (blocks.end, at(blocks.end))]);
    assert_eq!(bar.position(), todo.end - todo.start);
    assert_eq!(bar.length(), Some(todo.end - todo.start));
    assert_eq!(stats.trials, todo.end - todo.start);
    assert_eq!(sample.len(), DRIVER_TRIALS - todo.start);
}
