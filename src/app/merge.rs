//! `defsim merge`: the parts of a sharded run into the outputs of the whole run (the parts
//! of a sharded experiment are merged by [`super::explore::merge`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use super::run::{TrialTables, part_thresholds, print_headline, run_info, write_outputs};
use super::{BadInput, claim, commit, stage};
use crate::analysis::drivers::{self, DRIVER_TRIALS, DriverSample};
use crate::analysis::run::RunSummary;
use crate::cli::MergeArgs;
use crate::engine::stream::{ShardPlan, StreamStats};
use crate::export::part::{self, PartHeader, RunBody};
use crate::export::plots::Trials;

/// `defsim merge`: run parts or explore parts (all of one kind), wholly on `--threads`
/// worker threads: reading the parts, the statistics, the drivers and the plots.
pub fn merge(args: &MergeArgs) -> Result<()> {
    super::on_threads(args.threads, || merge_on_this_pool(args))
}

/// [`merge`] on the current rayon pool.
fn merge_on_this_pool(args: &MergeArgs) -> Result<()> {
    let mut kinds = Vec::new();
    for path in &args.parts {
        kinds.push(part::kind(path).map_err(|e| BadInput(e.to_string()))?);
    }
    let explore = kinds[0] == part::EXPLORE;
    if let Some(i) = kinds.iter().position(|k| (k == part::EXPLORE) != explore) {
        let what = |explore: bool| {
            if explore {
                "`defsim explore --shard`"
            } else {
                "`defsim run --shard`"
            }
        };
        return Err(BadInput(format!(
            "{}: a part of {}, while {} is a part of {}: merge the parts of one run or of one \
             experiment",
            args.parts[i].display(),
            what(!explore),
            args.parts[0].display(),
            what(explore)
        ))
        .into());
    }
    if explore {
        super::explore::merge(args)
    } else if let Some(file) = &args.experiment {
        Err(BadInput(format!(
            "--experiment {}: the parts are of `defsim run --shard`, which has no experiment \
             file: --experiment is for the parts of `defsim explore --shard`",
            file.display()
        ))
        .into())
    } else {
        merge_run(args)
    }
}

/// Refuses an `out` that is the folder of one of `parts`: the merged outputs would replace
/// the parts read.
pub(super) fn refuse_parts_folder<'a>(
    out: &Path,
    parts: impl Iterator<Item = &'a PathBuf>,
) -> Result<()> {
    let out_dir = out.canonicalize().ok();
    for path in parts {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        let folder = folder.unwrap_or(Path::new(".")).canonicalize().ok();
        if out_dir.is_some() && folder == out_dir {
            return Err(BadInput(format!(
                "{}: --out is the folder of the parts; the merged outputs would replace them: \
                 choose another --out",
                out.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// `defsim merge` of run parts.
fn merge_run(args: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let mut parts: Vec<(PathBuf, PartHeader, RunBody)> = Vec::new();
    for path in &args.parts {
        let (header, body) = part::read(path).map_err(|e| BadInput(e.to_string()))?;
        parts.push((path.clone(), header, body));
    }
    let (first_path, first) = (parts[0].0.clone(), parts[0].1.clone());
    let first = &first;
    let mut shards = PartSet::default();
    for (path, h, body) in &parts {
        let stats = &body.stats;
        if let Some(why) = foreign(first, h) {
            return Err(BadInput(format!(
                "{}: a part of another run: {why} (as in {})",
                path.display(),
                first_path.display()
            ))
            .into());
        }
        if h.kind != "shard" || h.k >= h.n {
            return Err(BadInput(format!("{}: not a shard part", path.display())).into());
        }
        let plan = ShardPlan { k: h.k, n: h.n };
        let blocks = plan.blocks(h.trials);
        let trials = plan.trials(h.trials);
        if h.blocks != [blocks.start, blocks.end]
            || stats.trials != trials.clone().count() as u64
            || h.rows
                .as_ref()
                .is_some_and(|r| r.first != trials.start || r.end != trials.end)
        {
            return Err(PartSet::corrupted(path, "shard", h.k, h.n));
        }
        shards.add(h.k, h.n, path)?;
    }
    let n = first.n;
    shards.complete(n, "shards")?;
    // Exact merges: the order does not matter; shard order reads best (and the drivers'
    // samples join in trial order).
    parts.sort_by_key(|(_, h, _)| h.k);
    let mut stats = StreamStats::new(&first.schema);
    for (_, _, b) in &parts {
        stats.merge(&b.stats);
    }
    let sample = driver_sample(&parts)?;
    let header = &parts[0].1;
    let mut summary =
        RunSummary::from_stream(header.scenario.meta(), &header.schema, header.seed, &stats);
    summary.design = header.design.clone();
    summary.drivers = sample.and_then(|s| drivers::from_sample(&header.schema, &s, stats.trials));

    refuse_parts_folder(&args.out, parts.iter().map(|(p, _, _)| p))?;
    claim(&args.out)?;
    let staging = stage(&args.out)?;
    if let Some(info) = &header.rows {
        let mut tables = TrialTables::create(
            &args.out,
            staging.path(),
            &header.schema,
            header.seed,
            info.csv,
            info.parquet,
        )?;
        for (path, _, _) in &parts {
            let mut rows = part::rows(path).map_err(|e| BadInput(e.to_string()))?;
            tables.replay(&mut rows, path)?;
        }
        tables.finish()?;
    }
    let info = run_info(
        &header.scenario.scenario_file,
        &header.scenario.overrides,
        &summary,
        args.threads,
        0.0,
        started,
    );
    write_outputs(
        &args.out,
        staging.path(),
        &summary,
        &header.schema,
        Trials::Streamed(&header.schema, &stats),
        &part_thresholds(&header.scenario, &header.schema),
        args.no_plots,
        &info,
    )?;
    let written = commit(staging)?;
    crate::out::note!(
        "merged {n} parts ({} trials, seed {}) of {} into {}",
        stats.trials,
        header.seed,
        header.scenario.info.name,
        written.display()
    );
    print_headline(&summary, &written);
    Ok(())
}

/// The drivers' sample of the whole run, joined from the parts (in shard order); `None` for
/// parts of format 2, which keep none. A part whose sample is not its share of the run's
/// first trials is corrupted. `parts` is not empty (the command line asks for one at least).
fn driver_sample(parts: &[(PathBuf, PartHeader, RunBody)]) -> Result<Option<DriverSample>> {
    let first = &parts[0].1;
    if first.format < 3 {
        return Ok(None);
    }
    let m = first.trials.min(DRIVER_TRIALS);
    let mut sample = DriverSample::new(&first.schema, 0);
    for (path, h, body) in parts {
        let d = &body.drivers;
        let trials = ShardPlan { k: h.k, n: h.n }.trials(h.trials);
        let want = trials.end.min(m).saturating_sub(trials.start);
        if d.first != trials.start || d.len() != want || (want > 0 && !sample.append(d)) {
            return Err(BadInput(format!(
                "{}: corrupted: its drivers' sample is not shard {}/{}'s share of the first \
                 {m} trials",
                path.display(),
                h.k,
                h.n
            ))
            .into());
        }
    }
    Ok(Some(sample))
}

/// Why `h` is not of the same run as `first`, if it is not.
fn foreign(first: &PartHeader, h: &PartHeader) -> Option<String> {
    let (a, b) = (&first.scenario.info, &h.scenario.info);
    foreign_by(
        [&first.defsim_version, &h.defsim_version],
        (
            "resolved scenario",
            b.resolved_sha256 == a.resolved_sha256,
            [[&a.name, &a.resolved_sha256], [&b.name, &b.resolved_sha256]],
        ),
        [
            [first.seed, h.seed],
            [first.trials, h.trials],
            [first.n, h.n],
        ],
    )
    .or_else(|| {
        (h.design != first.design || h.schema != first.schema)
            .then(|| "its sampling design or model differs".to_string())
    })
    .or_else(|| {
        let tables = |h: &PartHeader| match &h.rows {
            None => "no trial table".to_string(),
            Some(r) => [(r.csv, "trials.csv"), (r.parquet, "trials.parquet")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(" and "),
        };
        (tables(h) != tables(first))
            .then(|| format!("its run writes {}, not {}", tables(h), tables(first)))
    })
}

/// Why a part is not of the same run or experiment as the first part of a merge, by what
/// every kind of part records, in this order: the defsim version that wrote them
/// (`[first, part]`); what they ran (`(what, same, [first, part])`: whether it is the same
/// and, to name it, each's name and SHA-256); seed, trial count and shard count (each
/// `[first, part]`).
pub(super) fn foreign_by(
    [first_version, version]: [&str; 2],
    (what, same, [[first_name, first_sha], [name, sha]]): (&str, bool, [[&str; 2]; 2]),
    [seed, trials, n]: [[u64; 2]; 3],
) -> Option<String> {
    if version != first_version {
        Some(format!("written by defsim {version}, not {first_version}"))
    } else if !same {
        Some(format!(
            "its {what} is {name} ({}), not {first_name} ({})",
            short(sha),
            short(first_sha)
        ))
    } else if seed[1] != seed[0] {
        Some(format!("its seed is {}, not {}", seed[1], seed[0]))
    } else if trials[1] != trials[0] {
        Some(format!("it has {} trials, not {}", trials[1], trials[0]))
    } else if n[1] != n[0] {
        Some(format!("it is one of {} shards, not {}", n[1], n[0]))
    } else {
        None
    }
}

/// The first 12 characters of a SHA-256 (all of a shorter string), for a message.
fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// The parts given to `merge`, by shard index: each index once, and every index of `0..n`.
#[derive(Default)]
pub(super) struct PartSet {
    by_k: BTreeMap<u64, PathBuf>,
}

impl PartSet {
    /// Bad input: the part at `path` does not hold the trials of `what` (`"shard"`, `"explore
    /// shard"`) `k` of `n`.
    pub(super) fn corrupted(path: &Path, what: &str, k: u64, n: u64) -> anyhow::Error {
        BadInput(format!(
            "{}: corrupted: it does not hold {what} {k}/{n}'s trials",
            path.display()
        ))
        .into()
    }

    /// Records `path` as part `k` of `n`; a second part `k` is bad input naming both files.
    pub(super) fn add(&mut self, k: u64, n: u64, path: &Path) -> Result<()> {
        if let Some(other) = self.by_k.insert(k, path.to_path_buf()) {
            return Err(BadInput(format!(
                "part {k} of {n} given twice: {} and {}",
                other.display(),
                path.display()
            ))
            .into());
        }
        Ok(())
    }

    /// Bad input naming the files of the `n` parts (`what`: "shards", "explore shards") that
    /// were not given.
    pub(super) fn complete(&self, n: u64, what: &str) -> Result<()> {
        let missing: Vec<String> = (0..n)
            .filter(|k| !self.by_k.contains_key(k))
            .map(|k| part::file_name(k, n))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(BadInput(format!(
            "missing part{} of the {n} {what}: {}",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        ))
        .into())
    }
}
