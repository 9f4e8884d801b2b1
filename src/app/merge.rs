//! `defsim merge`: the parts of a sharded run into the outputs of the whole run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use super::run::{TrialTables, part_thresholds, print_headline, run_info, write_outputs};
use super::{BadInput, claim, commit, stage};
use crate::analysis::run::RunSummary;
use crate::cli::MergeArgs;
use crate::engine::stream::{ShardPlan, StreamStats};
use crate::export::part::{self, PartHeader};
use crate::export::plots::Trials;

/// `defsim merge`.
pub fn merge(args: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let mut parts: Vec<(PathBuf, PartHeader, StreamStats)> = Vec::new();
    for path in &args.parts {
        let (header, stats) = part::read(path).map_err(|e| BadInput(e.to_string()))?;
        parts.push((path.clone(), header, stats));
    }
    let (first_path, first) = (parts[0].0.clone(), parts[0].1.clone());
    let first = &first;
    let mut by_k: BTreeMap<u64, PathBuf> = BTreeMap::new();
    for (path, h, stats) in &parts {
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
            return Err(BadInput(format!(
                "{}: corrupted: it does not hold shard {}/{}'s trials",
                path.display(),
                h.k,
                h.n
            ))
            .into());
        }
        if let Some(other) = by_k.insert(h.k, path.clone()) {
            return Err(BadInput(format!(
                "part {} of {} given twice: {} and {}",
                h.k,
                h.n,
                other.display(),
                path.display()
            ))
            .into());
        }
    }
    let n = first.n;
    let missing: Vec<String> = (0..n)
        .filter(|k| !by_k.contains_key(k))
        .map(|k| part::file_name(k, n))
        .collect();
    if !missing.is_empty() {
        return Err(BadInput(format!(
            "missing part{} of the {n} shards: {}",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        ))
        .into());
    }
    // Exact merges: the order does not matter; shard order reads best.
    parts.sort_by_key(|(_, h, _)| h.k);
    let mut stats = StreamStats::new(&first.schema);
    for (_, _, s) in &parts {
        stats.merge(s);
    }
    let header = &parts[0].1;
    let mut summary =
        RunSummary::from_stream(header.scenario.meta(), &header.schema, header.seed, &stats);
    summary.design = header.design.clone();

    // Merging into the parts' own folder would replace the parts it reads.
    let out_dir = args.out.canonicalize().ok();
    for (path, _, _) in &parts {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        let folder = folder
            .unwrap_or(std::path::Path::new("."))
            .canonicalize()
            .ok();
        if out_dir.is_some() && folder == out_dir {
            return Err(BadInput(format!(
                "{}: --out is the folder of the parts; the merged outputs would replace them: \
                 choose another --out",
                args.out.display()
            ))
            .into());
        }
    }
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .expect("a thread pool can be built");
    pool.install(|| {
        write_outputs(
            &args.out,
            staging.path(),
            &summary,
            &header.schema,
            Trials::Streamed(&header.schema, &stats),
            &part_thresholds(&header.scenario, &header.schema),
            args.no_plots,
            &info,
        )
    })?;
    let written = commit(staging)?;
    eprintln!(
        "merged {n} parts ({} trials, seed {}) of {} into {}",
        stats.trials,
        header.seed,
        header.scenario.info.name,
        written.display()
    );
    print_headline(&summary, &written);
    Ok(())
}

/// Why `h` is not of the same run as `first`, if it is not.
fn foreign(first: &PartHeader, h: &PartHeader) -> Option<String> {
    if h.defsim_version != first.defsim_version {
        Some(format!(
            "written by defsim {}, not {}",
            h.defsim_version, first.defsim_version
        ))
    } else if h.scenario.info.resolved_sha256 != first.scenario.info.resolved_sha256 {
        Some(format!(
            "its resolved scenario is {} ({}), not {} ({})",
            h.scenario.info.name,
            &h.scenario.info.resolved_sha256[..12.min(h.scenario.info.resolved_sha256.len())],
            first.scenario.info.name,
            &first.scenario.info.resolved_sha256
                [..12.min(first.scenario.info.resolved_sha256.len())]
        ))
    } else if h.seed != first.seed {
        Some(format!("its seed is {}, not {}", h.seed, first.seed))
    } else if h.trials != first.trials {
        Some(format!("it has {} trials, not {}", h.trials, first.trials))
    } else if h.n != first.n {
        Some(format!("it is one of {} shards, not {}", h.n, first.n))
    } else if h.design != first.design || h.schema != first.schema {
        Some("its sampling design or model differs".into())
    } else if h.rows.as_ref().map(|r| (r.csv, r.parquet))
        != first.rows.as_ref().map(|r| (r.csv, r.parquet))
    {
        let tables = |h: &PartHeader| match &h.rows {
            None => "no trial table".to_string(),
            Some(r) => [(r.csv, "trials.csv"), (r.parquet, "trials.parquet")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(" and "),
        };
        Some(format!(
            "its run writes {}, not {}",
            tables(h),
            tables(first)
        ))
    } else {
        None
    }
}
