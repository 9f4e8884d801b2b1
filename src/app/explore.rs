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
use std::path::Path;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use super::{BadInput, MAX_TRIALS, claim, commit, out_dir, stage};
use crate::analysis::answer::{self, ExploreLabels};
use crate::analysis::explore::report::{ExploreReport, LeverInfo, PolicyRow};
use crate::analysis::explore::{self as ex, Analysis, COST_OUTCOMES, PolicyTrials, effects};
use crate::cli::ExploreArgs;
use crate::engine::{self, FamilyRun, Model, RunOptions};
use crate::experiment::{self, Experiment, PolicyDesign};
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
/// `bar` counts policy-trials. Only the trial blocks in `blocks` run when it is given (a
/// shard); the others' values stay 0.
pub fn simulate_columns(
    scenarios: &[Scenario],
    opts: &RunOptions,
    names: &[&str],
    bar: &ProgressBar,
) -> Result<Vec<Vec<Vec<f64>>>> {
    simulate_blocks(scenarios, opts, names, None, bar)
}

/// [`simulate_columns`] over the trial blocks `blocks` only (all when `None`).
pub fn simulate_blocks(
    scenarios: &[Scenario],
    opts: &RunOptions,
    names: &[&str],
    blocks: Option<&[usize]>,
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

/// `defsim explore`.
pub fn explore(args: &ExploreArgs) -> Result<()> {
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
    let mut scenarios = vec![exp.scenario.clone()];
    for p in &exp.policies {
        scenarios.push(model::load(&exp.scenario_file, &p.overrides(&exp.levers))?);
    }
    let target = out_dir(&args.sim, &format!("explore-{}", exp.name));
    // Refuse a folder that is not defsim's before anything is simulated.
    claim(&target)?;
    let opts = RunOptions {
        seed,
        trials,
        threads: args.sim.threads,
        keep_inputs: false,
        progress: false,
    };
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(trials * scenarios.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} policy-trials, eta {eta}")
            .expect("a valid template"),
    );
    let mut names = vec![exp.criterion.as_str()];
    names.extend(COST_OUTCOMES);
    let columns = simulate_columns(&scenarios, &opts, &names, &bar)?;
    bar.finish_and_clear();

    let table: Vec<PolicyTrials> = columns
        .iter()
        .map(|c| PolicyTrials {
            met: &c[0],
            outcomes: [&c[1], &c[2], &c[3], &c[4]],
        })
        .collect();
    let (levels, counts, level_labels) = levels_of(&exp);
    let analysis = ex::analyze(&table[1..], &table[0], &levels, &counts, exp.target);
    let report = report(&exp, seed, trials, &analysis, &level_labels);

    let staging = stage(&target)?;
    let dir = staging.path();
    export::json::write(&dir.join("explore.json"), &report)?;
    write_csv(&dir.join("policies.csv"), &report)?;
    let plots = if args.no_plots {
        Vec::new()
    } else {
        let model = ViabilityModel::new(&exp.scenario);
        let mut jobs = chart_jobs(&report);
        jobs.extend(distribution_jobs(&report, &model, &exp.scenario, &columns));
        plots::render_all(&jobs, &dir.join("plots"))?
    };
    fs::write(
        dir.join("explore.html"),
        export::html::explore::render(&report, &plots),
    )?;
    let written = commit(staging)?;
    crate::out::println!("{}", report.answer.join(" "));
    crate::out::println!("results in {}", written.display());
    Ok(())
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
