//! `defsim explore`: policies (combinations of lever values) evaluated on the same futures.
//!
//! Load the experiment (every policy validated before anything runs) -> simulate the
//! scenario as written and every policy with the experiment's seed and trials -> analyse
//! ([`crate::analysis::explore`]) -> write `policies.csv`, `explore.json`, plots and
//! `explore.html`.
//!
//! Common random numbers: a trial's random streams are keyed by (seed, trial, stream name),
//! so trial `k` of every policy sees the same annual shocks and the same uncertain
//! parameters. They are also drawn only once per trial and shared by every policy
//! ([`PolicySet`]): a lever that changes a parameter's distribution (a sub-key such as
//! `macro.trend_growth.mean`) redraws that parameter from the same substream, and a lever
//! that fixes it leaves every other draw as it was.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::merge::PartSet;
use super::{BadInput, MAX_TRIALS, claim, commit, out_dir, stage};
use crate::analysis::answer::{self, ExploreLabels};
use crate::analysis::explore::report::{ExploreReport, LeverInfo, PolicyRow};
use crate::analysis::explore::{self as ex, Analysis, COST_OUTCOMES, PolicyTrials, effects};
use crate::cli::{ExploreArgs, MergeArgs};
use crate::engine::{self, FamilyRun, KeepInputs, Model, RunOptions, ShardPlan};
use crate::experiment::{self, Experiment, PolicyDesign};
use crate::export::part::{self, ExploreHeader, MemberColumns};
use crate::export::{self, plots};
use crate::model::policies::PolicySet;
use crate::model::{self, ViabilityModel};
use crate::scenario::Scenario;

/// Bins of a Latin hypercube lever's values, serving as its levels for main effects.
const LHS_BINS: usize = 5;

/// Simulates `scenarios` (each a policy, all with `opts`' seed and trials) side by side:
/// each trial's shocks and uncertain parameters are drawn once and shared by every policy
/// ([`PolicySet`]), and each policy keeps the columns of `names` (in that order):
/// `columns[policy][name][trial]`, bit for bit what running each scenario alone gives.
/// `bar` counts policy-trials.
pub fn simulate_columns(
    scenarios: &[Scenario],
    opts: &RunOptions,
    names: &[&str],
    bar: &ProgressBar,
) -> Result<Vec<Vec<Vec<f64>>>> {
    simulate_blocks(scenarios, opts, names, None, bar)
}

/// [`simulate_columns`] over the trial blocks `blocks` only (all when `None`): the columns
/// then hold those blocks' trials only, from the first.
pub fn simulate_blocks(
    scenarios: &[Scenario],
    opts: &RunOptions,
    names: &[&str],
    blocks: Option<std::ops::Range<u64>>,
    bar: &ProgressBar,
) -> Result<Vec<Vec<Vec<f64>>>> {
    let models: Vec<ViabilityModel> = scenarios.iter().map(ViabilityModel::new).collect();
    let keep: Vec<usize> = names
        .iter()
        .map(|n| {
            models[0]
                .schema()
                .outcomes
                .iter()
                .position(|o| o.name == *n)
                .expect("explore's outcomes are the model's")
        })
        .collect();
    let labels = (0..models.len())
        .map(|i| match i {
            0 => "the scenario as written".to_string(),
            i => format!("policy {}", i - 1),
        })
        .collect();
    let set = PolicySet::new(models, labels);
    let members = scenarios.len() as u64;
    let run = FamilyRun {
        seed: opts.seed,
        trials: opts.trials,
        threads: opts.threads,
        keep: &keep,
        blocks,
    };
    Ok(engine::run_family(&set, &run, &|trials| {
        bar.inc(trials * members)
    })?)
}

/// `defsim explore`, wholly on `--threads` worker threads.
pub fn explore(args: &ExploreArgs) -> Result<()> {
    super::on_threads(args.sim.threads, || explore_on_this_pool(args))
}

/// [`explore`] on the current rayon pool.
fn explore_on_this_pool(args: &ExploreArgs) -> Result<()> {
    let exp = experiment::load(&args.experiment, args.force)?;
    for w in exp.scenario.warnings.iter().chain(&exp.warnings) {
        eprintln!("warning: {}: {w}", args.experiment.display());
    }
    let seed = args.sim.seed.unwrap_or(exp.seed);
    let trials = args.sim.trials.unwrap_or(exp.trials);
    anyhow::ensure!(
        (1..=MAX_TRIALS).contains(&trials),
        BadInput(format!("--trials must be between 1 and {MAX_TRIALS}"))
    );
    anyhow::ensure!(
        args.sim.set.is_empty(),
        BadInput(
            "explore takes no --set: put fixed changes in the scenario, levers in [levers]".into()
        )
    );
    let scenarios = members(&exp)?;
    let target = out_dir(&args.sim, &format!("explore-{}", exp.name));
    let opts = RunOptions {
        seed,
        trials,
        threads: args.sim.threads,
        keep_inputs: KeepInputs::None,
        progress: false,
    };
    let names = kept(&exp);
    if let Some(plan) = args.shard {
        return shard(&exp, &scenarios, &opts, &names, plan, &target);
    }
    // Refuse a folder that is not defsim's before anything is simulated.
    claim(&target)?;
    let bar = progress(trials * scenarios.len() as u64);
    let columns = simulate_columns(&scenarios, &opts, &names, &bar)?;
    bar.finish_and_clear();
    let written = write_outputs(&target, &exp, seed, trials, &columns, args.no_plots)?;
    crate::out::println!("results in {}", written.display());
    Ok(())
}

/// The members an experiment simulates: the scenario as written, then every policy.
fn members(exp: &Experiment) -> Result<Vec<Scenario>> {
    let mut scenarios = vec![exp.scenario.clone()];
    for p in &exp.policies {
        scenarios.push(model::load(&exp.scenario_file, &p.overrides(&exp.levers))?);
    }
    Ok(scenarios)
}

/// The outcomes kept per member: the criterion, then [`COST_OUTCOMES`].
fn kept(exp: &Experiment) -> Vec<&str> {
    let mut names = vec![exp.criterion.as_str()];
    names.extend(COST_OUTCOMES);
    names
}

/// A progress bar of `len` policy-trials (hidden unless stderr is a terminal).
fn progress(len: u64) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() && !crate::out::quiet() {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} policy-trials, eta {eta}")
            .expect("a valid template"),
    );
    bar
}

/// What names an experiment in its parts: the SHA-256 of its file and a SHA-256 over its
/// members' resolved scenarios (in member order).
fn identity(exp: &Experiment, scenarios: &[Scenario]) -> Result<(String, String)> {
    let bytes = fs::read(&exp.file).map_err(|e| {
        BadInput(format!(
            "{}: cannot read the experiment file: {e}",
            exp.file.display()
        ))
    })?;
    let members: String = scenarios
        .iter()
        .map(|s| s.resolved_sha256() + "\n")
        .collect();
    Ok((part::sha256(&bytes), part::sha256(members.as_bytes())))
}

/// `explore --shard K/N`: every member on the shard's share of the trial blocks, written as
/// `DIR/part-K-of-N.defsim` only.
fn shard(
    exp: &Experiment,
    scenarios: &[Scenario],
    opts: &RunOptions,
    names: &[&str],
    plan: ShardPlan,
    dir: &Path,
) -> Result<()> {
    let started = std::time::Instant::now();
    let file = part::claim_shard(dir, plan).map_err(|r| BadInput(r.0))?;
    let (experiment_sha256, resolved_sha256) = identity(exp, scenarios)?;
    let experiment_file = exp
        .file
        .canonicalize()
        .unwrap_or_else(|_| exp.file.clone())
        .display()
        .to_string();
    let blocks = plan.blocks(opts.trials);
    let range = plan.trials(opts.trials);
    crate::out::note!(
        "explore shard {}/{}: trials {}..{} of {} ({} blocks) for {} policies and the scenario, \
         seed {}",
        plan.k,
        plan.n,
        range.start,
        range.end,
        opts.trials,
        blocks.end - blocks.start,
        exp.policies.len(),
        opts.seed
    );
    let bar = progress((range.end - range.start) * scenarios.len() as u64);
    let columns = simulate_blocks(scenarios, opts, names, Some(blocks.clone()), &bar)?;
    bar.finish_and_clear();
    let header = ExploreHeader {
        format: part::FORMAT,
        kind: part::EXPLORE.into(),
        defsim_version: env!("CARGO_PKG_VERSION").to_string(),
        experiment: exp.name.clone(),
        experiment_file,
        experiment_sha256,
        resolved_sha256,
        members: scenarios.len() as u64,
        outcomes: names.iter().map(|n| n.to_string()).collect(),
        seed: opts.seed,
        trials: opts.trials,
        n: plan.n,
        k: plan.k,
        blocks: [blocks.start, blocks.end],
        body_bytes: 0,
        body_sha256: String::new(),
    };
    part::write_explore(&file, &header, &columns)
        .with_context(|| format!("cannot write {}", file.display()))?;
    crate::out::note!(
        "explore shard {}/{}: {} policy-trials in {:.1} s -> {}",
        plan.k,
        plan.n,
        (range.end - range.start) * scenarios.len() as u64,
        started.elapsed().as_secs_f64(),
        file.display()
    );
    Ok(())
}

/// `defsim merge` of explore parts: checks that they are the N shards of one experiment,
/// reloads the experiment from the file the parts name, or from `--experiment` (it must be
/// the same file, by SHA-256, and its scenario must resolve as it did), joins the columns in
/// block order and writes the outputs of the whole experiment into `out`.
pub fn merge(args: &MergeArgs) -> Result<()> {
    let mut parts: Vec<(PathBuf, ExploreHeader, MemberColumns)> = Vec::new();
    for path in &args.parts {
        let (h, columns) = part::read_explore(path).map_err(|e| BadInput(e.to_string()))?;
        parts.push((path.clone(), h, columns));
    }
    let (first_path, first) = (parts[0].0.clone(), parts[0].1.clone());
    let mut shards = PartSet::default();
    for (path, h, columns) in &parts {
        if let Some(why) = foreign(&first, h) {
            return Err(BadInput(format!(
                "{}: a part of another experiment: {why} (as in {})",
                path.display(),
                first_path.display()
            ))
            .into());
        }
        if h.k >= h.n {
            return Err(PartSet::corrupted(path, "explore shard", h.k, h.n));
        }
        let plan = ShardPlan { k: h.k, n: h.n };
        let blocks = plan.blocks(h.trials);
        let trials = plan.trials(h.trials);
        let held = columns
            .first()
            .and_then(|m| m.first())
            .map_or(0, |c| c.len() as u64);
        if h.blocks != [blocks.start, blocks.end] || held != trials.end - trials.start {
            return Err(PartSet::corrupted(path, "explore shard", h.k, h.n));
        }
        shards.add(h.k, h.n, path)?;
    }
    let n = first.n;
    shards.complete(n, "explore shards")?;
    // The experiment as the shards ran it: at the path the parts record, or at --experiment.
    let recorded = PathBuf::from(&first.experiment_file);
    let file = args.experiment.clone().unwrap_or_else(|| recorded.clone());
    let moved = args.experiment.is_some();
    let unlike = |why: String| {
        BadInput(if moved {
            format!(
                "{}: {why}: it is not the experiment the parts ({}, recorded as {}) were \
                 written for",
                file.display(),
                first_path.display(),
                recorded.display()
            )
        } else {
            format!(
                "{}: {why}; the parts ({}) were written for the experiment as it was: run the \
                 shards again",
                file.display(),
                first_path.display()
            )
        })
    };
    if moved || recorded.exists() {
        // A file that cannot be read at all (missing, a folder, no permission) is not
        // "another experiment": say so plainly.
        if let Err(e) = std::fs::read(&file) {
            let which = if moved {
                "the experiment file given with --experiment"
            } else {
                "the experiment file the parts record"
            };
            return Err(
                BadInput(format!("{}: {which} cannot be read ({e})", file.display())).into(),
            );
        }
    }
    let exp = experiment::load(&file, true).map_err(|e| {
        if moved || recorded.exists() {
            unlike(format!("cannot be loaded again ({e})"))
        } else {
            BadInput(format!(
                "{}: the experiment file of the parts ({}) cannot be read ({e}): if it is \
                 elsewhere on this machine, give its path with --experiment FILE",
                file.display(),
                first_path.display()
            ))
        }
    })?;
    let scenarios = members(&exp)?;
    let (experiment_sha256, resolved_sha256) = identity(&exp, &scenarios)?;
    if experiment_sha256 != first.experiment_sha256 {
        return Err(unlike(if moved {
            format!(
                "its SHA-256 is {}, the parts' experiment's {}",
                experiment_sha256, first.experiment_sha256
            )
        } else {
            "the experiment file changed since the shards ran".into()
        })
        .into());
    }
    if resolved_sha256 != first.resolved_sha256 {
        return Err(unlike(
            "its scenario resolves otherwise than when the shards ran (a file it reads changed)"
                .into(),
        )
        .into());
    }
    let names: Vec<String> = kept(&exp).iter().map(|s| s.to_string()).collect();
    if names != first.outcomes {
        return Err(unlike("its criterion differs from the parts'".into()).into());
    }
    super::merge::refuse_parts_folder(&args.out, args.parts.iter())?;
    claim(&args.out)?;
    // Join the shards' columns in block order.
    parts.sort_by_key(|(_, h, _)| h.k);
    let members = first.members as usize;
    let mut columns: Vec<Vec<Vec<f64>>> = (0..members)
        .map(|_| {
            (0..names.len())
                .map(|_| Vec::with_capacity(first.trials as usize))
                .collect()
        })
        .collect();
    for (_, _, part) in parts {
        for (all, mine) in columns.iter_mut().zip(part) {
            for (a, m) in all.iter_mut().zip(mine) {
                a.extend_from_slice(&m);
            }
        }
    }
    let written = write_outputs(
        &args.out,
        &exp,
        first.seed,
        first.trials,
        &columns,
        args.no_plots,
    )?;
    crate::out::note!(
        "merged {n} explore parts ({} policies x {} trials, seed {}) of {} into {}",
        exp.policies.len(),
        first.trials,
        first.seed,
        exp.name,
        written.display()
    );
    crate::out::println!("results in {}", written.display());
    Ok(())
}

/// Why `h` is not of the same experiment as `first`, if it is not.
fn foreign(first: &ExploreHeader, h: &ExploreHeader) -> Option<String> {
    super::merge::foreign_by(
        [&first.defsim_version, &h.defsim_version],
        (
            "experiment",
            h.experiment_sha256 == first.experiment_sha256
                && h.resolved_sha256 == first.resolved_sha256
                && h.members == first.members
                && h.outcomes == first.outcomes,
            [
                [&first.experiment, &first.experiment_sha256],
                [&h.experiment, &h.experiment_sha256],
            ],
        ),
        [
            [first.seed, h.seed],
            [first.trials, h.trials],
            [first.n, h.n],
        ],
    )
}

/// Analyses `columns` (every member's kept outcomes over all trials: the scenario as
/// written, then the policies) and writes `policies.csv`, `explore.json`, the plots and
/// `explore.html` into `target` (through a staging folder); prints the answer. Returns the
/// folder written.
fn write_outputs(
    target: &Path,
    exp: &Experiment,
    seed: u64,
    trials: u64,
    columns: &[Vec<Vec<f64>>],
    no_plots: bool,
) -> Result<PathBuf> {
    let table: Vec<PolicyTrials> = columns
        .iter()
        .map(|c| PolicyTrials {
            met: &c[0],
            outcomes: [&c[1], &c[2], &c[3], &c[4]],
        })
        .collect();
    let (levels, counts, level_labels) = levels_of(exp);
    let analysis = ex::analyze(&table[1..], &table[0], &levels, &counts, exp.target);
    let report = report(exp, seed, trials, &analysis, &level_labels);

    let staging = stage(target)?;
    let dir = staging.path();
    export::json::write(&dir.join("explore.json"), &report)?;
    write_csv(&dir.join("policies.csv"), &report)?;
    let plots = if no_plots {
        Vec::new()
    } else {
        let model = ViabilityModel::new(&exp.scenario);
        let mut jobs = chart_jobs(&report);
        jobs.extend(distribution_jobs(&report, &model, &exp.scenario, columns));
        plots::render_all(&jobs, &dir.join("plots"))?
    };
    fs::write(
        dir.join("explore.html"),
        export::html::explore::render(super::FRAMING, &report, &plots),
    )?;
    let written = commit(staging)?;
    crate::out::println!("{}", report.answer.join(" "));
    Ok(written)
}

/// Each policy's level of each lever, the levers' level counts and labels. Latin hypercube
/// levers are binned into equal-count bins of their values.
fn levels_of(exp: &Experiment) -> (Vec<Vec<usize>>, Vec<usize>, Vec<Vec<String>>) {
    match exp.design {
        PolicyDesign::Factorial => (
            exp.policies.iter().map(|p| p.levels.clone()).collect(),
            exp.levers.iter().map(|l| l.values.len()).collect(),
            exp.levers
                .iter()
                .map(|l| l.values.iter().map(|v| v.label()).collect())
                .collect(),
        ),
        PolicyDesign::Lhs(_) => {
            let n = exp.policies.len();
            let mut levels = vec![vec![0; exp.levers.len()]; n];
            let mut counts = Vec::new();
            let mut labels = Vec::new();
            for j in 0..exp.levers.len() {
                let values: Vec<f64> = exp
                    .policies
                    .iter()
                    .map(|p| match p.values[j] {
                        experiment::LeverValue::Number(x) => x,
                        _ => f64::NAN,
                    })
                    .collect();
                let b = effects::bins(&values, LHS_BINS);
                let k = b.iter().max().map_or(1, |m| m + 1);
                for (row, bin) in levels.iter_mut().zip(&b) {
                    row[j] = *bin;
                }
                labels.push(
                    (0..k)
                        .map(|bin| {
                            let inside = values.iter().zip(&b).filter(|(_, x)| **x == bin);
                            let lo = inside.clone().map(|v| *v.0).fold(f64::MAX, f64::min);
                            let hi = inside.map(|v| *v.0).fold(f64::MIN, f64::max);
                            format!("{lo:.3}-{hi:.3}")
                        })
                        .collect(),
                );
                counts.push(k);
            }
            (levels, counts, labels)
        }
    }
}

fn report(
    exp: &Experiment,
    seed: u64,
    trials: u64,
    a: &Analysis,
    level_labels: &[Vec<String>],
) -> ExploreReport {
    let keys: Vec<String> = exp.levers.iter().map(|l| l.key.clone()).collect();
    let words: Vec<String> = exp
        .policies
        .iter()
        .map(|p| {
            exp.levers
                .iter()
                .zip(&p.values)
                .map(|(l, v)| format!("{} {}", answer::key_label(&l.key), v.label()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let labels = ExploreLabels {
        criterion: &exp.criterion,
        trials,
        levers: &keys,
        levels: level_labels,
        policies: &words,
    };
    ExploreReport {
        experiment: exp.name.clone(),
        scenario: exp.scenario.name.clone(),
        seed,
        trials,
        design: match exp.design {
            PolicyDesign::Factorial => "factorial".into(),
            PolicyDesign::Lhs(n) => format!("lhs({n})"),
        },
        criterion: exp.criterion.clone(),
        outcome_names: COST_OUTCOMES.iter().map(|s| s.to_string()).collect(),
        levers: exp
            .levers
            .iter()
            .zip(level_labels)
            .map(|(l, ls)| LeverInfo {
                key: l.key.clone(),
                levels: ls.clone(),
            })
            .collect(),
        policies: exp
            .policies
            .iter()
            .zip(&a.policies)
            .enumerate()
            .map(|(i, (p, s))| PolicyRow {
                index: i,
                values: exp
                    .levers
                    .iter()
                    .zip(&p.values)
                    .map(|(l, v)| (l.key.clone(), v.set_text()))
                    .collect(),
                stats: s.clone(),
            })
            .collect(),
        scenario_as_written: a.scenario.clone(),
        front: a.front.clone(),
        effects: a.effects.clone(),
        strongest: a.strongest.clone(),
        two_way: a.two_way.clone(),
        recommended: a.recommended,
        warnings: exp.warnings.clone(),
        target: a.target.clone(),
        answer: answer::explore(a, &labels).sentences,
    }
}

/// `policies.csv`: one row per policy: its lever values (one column per lever key), then
/// every figure of `explore.json`.
fn write_csv(path: &Path, r: &ExploreReport) -> csv::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec!["policy".to_string()];
    header.extend(r.levers.iter().map(|l| l.key.clone()));
    let c = &r.criterion;
    header.extend([
        format!("p_{c}"),
        format!("p_{c}_ci_low"),
        format!("p_{c}_ci_high"),
    ]);
    for o in &r.outcome_names {
        header.extend([format!("{o}_mean"), format!("{o}_p95")]);
    }
    header.extend(
        [
            "regret_program_cost_mean",
            "regret_program_cost_p90",
            "missed_share",
            "dp_vs_scenario",
            "dp_vs_scenario_ci_low",
            "dp_vs_scenario_ci_high",
            "dcost_vs_scenario",
            "dcost_vs_scenario_ci_low",
            "dcost_vs_scenario_ci_high",
            "on_front",
        ]
        .map(String::from),
    );
    w.write_record(&header)?;
    let diff = |d: &Option<crate::analysis::compare::Difference>| match d {
        Some(d) => [d.diff, d.ci95[0], d.ci95[1]].map(|v| v.to_string()),
        None => [String::new(), String::new(), String::new()],
    };
    for p in &r.policies {
        let s = &p.stats;
        let mut row = vec![p.index.to_string()];
        row.extend(p.values.values().cloned());
        row.extend([s.p.p, s.p.ci95[0], s.p.ci95[1]].map(|v| v.to_string()));
        for o in &s.outcomes {
            row.extend([o.mean, o.p95].map(|v| v.to_string()));
        }
        row.extend([s.regret.mean, s.regret.p90, s.missed_share].map(|v| v.to_string()));
        row.extend(diff(&s.vs_scenario.p));
        row.extend(diff(&s.vs_scenario.program_cost_musd));
        row.push(s.on_front.to_string());
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

fn chart_jobs(r: &ExploreReport) -> Vec<plots::Job<'static>> {
    let caption = format!(
        "experiment {}: {} policies of {}, {} trials each, seed {} (common random numbers)",
        r.experiment,
        r.policies.len(),
        r.scenario,
        answer::thousands(r.trials),
        r.seed
    );
    let pareto = plots::explore::ParetoFront {
        criterion: r.criterion.clone(),
        points: r
            .policies
            .iter()
            .map(|p| (p.stats.program_cost(), p.stats.p.clone()))
            .collect(),
        on_front: r.policies.iter().map(|p| p.stats.on_front).collect(),
        scenario: (
            r.scenario_as_written.program_cost(),
            r.scenario_as_written.p.clone(),
        ),
        caption: caption.clone(),
    };
    let effects = plots::explore::MainEffects {
        criterion: r.criterion.clone(),
        levers: r
            .levers
            .iter()
            .zip(&r.effects)
            .map(|(l, e)| (l.key.clone(), l.levels.clone(), e.level_means.clone()))
            .collect(),
        caption: caption.clone(),
    };
    let mut jobs = vec![plots::job(pareto), plots::job(effects)];
    if let Some(t) = &r.two_way {
        let [a, b] = t.levers;
        let label = |j: usize| answer::key_label(&r.levers[j].key);
        jobs.push(plots::job(plots::heatmap::HeatMap {
            stem: "heatmap".into(),
            title: format!(
                "Mean P({}) (%) by {} and {}, over the other levers",
                r.criterion,
                label(a),
                label(b)
            ),
            x: (r.levers[a].key.clone(), r.levers[a].levels.clone()),
            y: (r.levers[b].key.clone(), r.levers[b].levels.clone()),
            cells: t.means.clone(),
            value_label: format!("P({}) (%)", r.criterion),
            caption,
        }));
    }
    jobs
}

/// The recommended policy's outcome distributions against the scenario as written's: one
/// cumulative distribution per outcome of [`COST_OUTCOMES`] (`columns` as simulated: the
/// scenario first, then the policies, each with the criterion column before them).
fn distribution_jobs(
    r: &ExploreReport,
    model: &ViabilityModel,
    scenario: &Scenario,
    columns: &[Vec<Vec<f64>>],
) -> Vec<plots::Job<'static>> {
    let Some(best) = r.recommended else {
        return Vec::new();
    };
    let thresholds = plots::style::Thresholds::from_scenario(model.schema(), scenario);
    let name = format!("policy {best} (recommended)");
    let caption = format!(
        "experiment {}, policy {best}: {}; {} trials, seed {}",
        r.experiment,
        r.policies[best]
            .values
            .iter()
            .map(|(k, v)| format!("{} {v}", answer::key_label(k)))
            .collect::<Vec<_>>()
            .join(", "),
        answer::thousands(r.trials),
        r.seed
    );
    COST_OUTCOMES
        .iter()
        .enumerate()
        .map(|(k, outcome)| {
            let o = model
                .schema()
                .outcomes
                .iter()
                .find(|o| o.name == *outcome)
                .expect("explore's outcomes are the model's");
            let runs = [
                (name.as_str(), columns[best + 1][k + 1].as_slice()),
                ("the plan as written", columns[0][k + 1].as_slice()),
            ];
            plots::job(plots::cdf::Cdf::new(
                o,
                &runs,
                thresholds.for_outcome(outcome),
                caption.clone(),
            ))
        })
        .collect()
}
