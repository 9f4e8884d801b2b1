//! `defsim trace`: replay one trial exactly as inside a run (same seed, same streams) and
//! show it year by year, so an analyst can see why it came out as it did.

use std::fs;
use std::path::Path;

use anyhow::Result;

use super::BadInput;
use crate::cli::TraceArgs;
use crate::engine::{self, Model};
use crate::export;
use crate::model::ViabilityModel;
use crate::model::params::{LINE_NAMES, SUPPORT_STATES};
use crate::model::state::{LineYear, YearRecord};
use crate::scenario::Scenario;
use crate::{experiment, model};

/// A yearly quantity: its name, whether the terminal table shows it (the CSV has all), and
/// how to read it from a year's record.
type Column = (String, bool, Box<dyn Fn(&YearRecord) -> f64>);

/// `defsim trace`.
pub fn trace(args: &TraceArgs) -> Result<()> {
    let (scenario, seed, policy) = load(args)?;
    if let Some(path) = &args.csv {
        // A file defsim did not write is not replaced (exit 2 before anything is written).
        super::check_named_file(path, TRACE_CSV)?;
    }
    let model = ViabilityModel::new(&scenario);
    let mut years: Vec<YearRecord> = Vec::new();
    let (inputs, outcomes) =
        engine::replay(&model, seed, args.trial, |w, _, _| years.push(w.record));
    let schema = model.schema();
    let columns = columns();
    // The file first: a closed standard output (`trace ... --csv F | head -1`) ends the
    // process at the first line printed, which must not cost the file.
    if let Some(path) = &args.csv {
        let outcome_names: Vec<String> = schema.outcomes.iter().map(|o| o.name.clone()).collect();
        write_csv(
            path,
            (&schema.inputs, &inputs),
            &scenario.lever_paths,
            &years,
            &columns,
            (&outcome_names, &outcomes),
        )?;
    }

    crate::out::println!(
        "{}: trial {} of seed {}, {}-{}",
        scenario.name,
        args.trial,
        seed,
        schema.years[0],
        schema.years[schema.years.len() - 1]
    );
    if let Some(policy) = &policy {
        crate::out::println!("{policy}");
    }
    crate::out::println!("drawn parameters:");
    for (key, v) in schema.inputs.iter().zip(&inputs) {
        let mut dist = scenario
            .params
            .iter()
            .find(|e| &e.key == key)
            .map(|e| e.param.describe())
            .unwrap_or_default();
        let tied: Vec<String> = scenario
            .correlations
            .iter()
            .filter(|c| c.keys.contains(key))
            .map(|c| {
                let others: Vec<&str> = c
                    .keys
                    .iter()
                    .filter(|k| *k != key)
                    .map(String::as_str)
                    .collect();
                format!("rank {} with {}", c.rank, others.join(", "))
            })
            .collect();
        if !tied.is_empty() {
            dist.push_str(&format!("  [correlated draw: {}]", tied.join("; ")));
        }
        crate::out::println!("  {key:<42} {v:<22} {dist}");
    }
    // Levers given as yearly paths and forced states: rows of the year table.
    let mut given: Vec<(String, Vec<String>)> = scenario
        .lever_paths
        .iter()
        .map(|l| {
            (
                l.key.clone(),
                l.yearly.iter().map(|v| v.to_string()).collect(),
            )
        })
        .collect();
    for key in scenario.forced_keys() {
        let cells = scenario
            .forced_by_year(key)
            .iter()
            .map(|v| match (v, key.starts_with("support.")) {
                (None, _) => "free".to_string(),
                (Some(i), true) => SUPPORT_STATES[*i].to_string(),
                (Some(i), false) => i.to_string(),
            })
            .collect();
        given.push((format!("{key} (forced)"), cells));
    }
    print_years(&years, &given, &columns);
    crate::out::println!("outcomes:");
    for (o, v) in schema.outcomes.iter().zip(&outcomes) {
        crate::out::println!("  {:<26} = {}", o.name, value(*v));
    }
    if let Some(path) = &args.csv {
        crate::out::println!("trace written to {}", path.display());
    }
    Ok(())
}

/// The scenario to trace, the seed, and the policy in words (with --policy): a scenario file
/// with `--set`, or an experiment file's scenario under policy I (its lever values, then
/// `--set`) with the experiment's seed (`--seed` overrides either).
fn load(args: &TraceArgs) -> Result<(Scenario, u64, Option<String>)> {
    if !experiment::is_experiment(&args.scenario) {
        anyhow::ensure!(
            args.policy.is_none(),
            BadInput(format!(
                "--policy: {} is not an experiment file (one with an [experiment] table)",
                args.scenario.display()
            ))
        );
        let scenario = model::load(&args.scenario, &args.set)?;
        let seed = args.seed.unwrap_or(scenario.seed);
        return Ok((scenario, seed, None));
    }
    let Some(i) = args.policy else {
        return Err(BadInput(format!(
            "{} is an experiment file: give --policy I (0-based, as in policies.csv), or trace \
             its scenario file",
            args.scenario.display()
        ))
        .into());
    };
    // One policy is traced: the policy count does not matter.
    let exp = experiment::load(&args.scenario, true)?;
    let Some(p) = exp.policies.get(i) else {
        return Err(BadInput(format!(
            "--policy {i}: experiment {} has {} policies (0 to {})",
            exp.name,
            exp.policies.len(),
            exp.policies.len() - 1
        ))
        .into());
    };
    let mut sets = p.overrides(&exp.levers);
    sets.extend(args.set.iter().cloned());
    let scenario = model::load(&exp.scenario_file, &sets)?;
    let seed = args.seed.unwrap_or(exp.seed);
    let words = format!(
        "policy {i} of experiment {}: {}",
        exp.name,
        p.label(&exp.levers)
    );
    Ok((scenario, seed, Some(words)))
}

/// Every yearly quantity of a record, program-wide first, then line by line.
fn columns() -> Vec<Column> {
    let mut c: Vec<Column> = vec![
        (
            "sanctioned".into(),
            true,
            Box::new(|r| f64::from(u8::from(r.sanctioned))),
        ),
        ("support_state".into(), true, Box::new(|r| r.support as f64)),
        ("conflict".into(), true, Box::new(|r| r.conflict)),
        ("grid_availability".into(), true, Box::new(|r| r.grid)),
        (
            "plant_availability".into(),
            true,
            Box::new(|r| r.availability),
        ),
        ("gold_index".into(), true, Box::new(|r| r.gold)),
        ("growth".into(), true, Box::new(|r| r.growth)),
        ("gdp_musd".into(), true, Box::new(|r| r.gdp)),
        ("revenue_musd".into(), true, Box::new(|r| r.revenue)),
        ("budget_musd".into(), true, Box::new(|r| r.budget)),
        (
            "debt_service_musd".into(),
            true,
            Box::new(|r| r.debt_service),
        ),
        ("oversight_musd".into(), false, Box::new(|r| r.oversight)),
        ("sales_musd".into(), false, Box::new(|r| r.sales)),
        (
            "program_spend_musd".into(),
            true,
            Box::new(|r| r.program_spend),
        ),
        ("fiscal_burden".into(), true, Box::new(|r| r.fiscal_burden)),
        (
            "self_sufficiency".into(),
            true,
            Box::new(|r| r.self_sufficiency),
        ),
        ("independence".into(), true, Box::new(|r| r.independence)),
        (
            "russia_dependence".into(),
            true,
            Box::new(|r| r.russia_dependence),
        ),
    ];
    type Field = (&'static str, bool, fn(&LineYear) -> f64);
    let fields: [Field; 14] = [
        ("capex_wanted_musd", false, |l| l.wanted),
        ("credit_musd", true, |l| l.credit),
        ("capex_paid_musd", true, |l| l.paid),
        ("capital_musd", false, |l| l.capital),
        ("capacity", true, |l| l.capacity),
        ("output", true, |l| l.output),
        ("output_military", false, |l| l.output_military),
        ("output_civil", false, |l| l.output_civil),
        ("output_export", false, |l| l.output_export),
        ("military_demand", false, |l| l.military_demand),
        ("import_content", true, |l| l.import_content),
        ("unit_cost_usd", false, |l| l.unit_cost),
        ("unit_cost_ratio", true, |l| l.unit_cost_ratio),
        ("operating_musd", false, |l| l.operating),
    ];
    for (i, line) in LINE_NAMES.iter().enumerate() {
        for (name, brief, get) in fields {
            c.push((
                format!("{line}.{name}"),
                brief,
                Box::new(move |r| get(&r.lines[i])),
            ));
        }
    }
    c
}

/// The year-by-year table, one row per quantity and one column per year: first the rows
/// the scenario `given` year by year (lever paths, forced states), then the trial's.
fn print_years(years: &[YearRecord], given: &[(String, Vec<String>)], columns: &[Column]) {
    crate::out::print!("{:<34}", "year");
    for r in years {
        crate::out::print!(" {:>10}", r.year);
    }
    crate::out::println!();
    for (name, cells) in given {
        crate::out::print!("{name:<34}");
        for cell in cells {
            crate::out::print!(" {cell:>10}");
        }
        crate::out::println!();
    }
    for (name, _, get) in columns.iter().filter(|c| c.1) {
        crate::out::print!("{name:<34}");
        for r in years {
            let v = get(r);
            let cell = match name.as_str() {
                "sanctioned" => if v == 1.0 { "yes" } else { "no" }.to_string(),
                "support_state" => SUPPORT_STATES[r.support].to_string(),
                _ => short(v),
            };
            crate::out::print!(" {cell:>10}");
        }
        crate::out::println!();
    }
}

/// A table cell: four significant digits, at most ten characters.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = v.abs().log10().floor() as i32 + 1;
    if !(-3..=7).contains(&digits) {
        return format!("{v:.3e}");
    }
    let decimals = (4 - digits).clamp(0, 6) as usize;
    format!("{v:.decimals$}")
}

/// An outcome as trials.csv writes it: shortest round-trip decimal, `-` when absent.
fn value(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        v.to_string()
    }
}

/// The header line of `trace --csv`, by which defsim also recognises a trace it wrote.
const CSV_HEADER: &str = "kind,name,year,value";

/// What `trace --csv FILE` writes, and how defsim recognises one it wrote (its header).
const TRACE_CSV: export::staging::FileKind = ("trace CSV (trace --csv)", |b| {
    b.starts_with(CSV_HEADER.as_bytes())
});

/// The whole trace in long form (`kind, name, year, value`), written beside `path` and
/// renamed into place.
fn write_csv(
    path: &Path,
    (input_names, inputs): (&[String], &[f64]),
    levers: &[crate::scenario::LeverPath],
    years: &[YearRecord],
    columns: &[Column],
    (outcome_names, outcomes): (&[String], &[f64]),
) -> Result<()> {
    let write = |f: &mut fs::File| -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(f);
        w.write_record(CSV_HEADER.split(','))?;
        for (k, v) in input_names.iter().zip(inputs) {
            w.write_record(["input", k, "", &v.to_string()])?;
        }
        for l in levers {
            for (r, v) in years.iter().zip(&l.yearly) {
                w.write_record(["lever", &l.key, &r.year.to_string(), &v.to_string()])?;
            }
        }
        for r in years {
            let year = r.year.to_string();
            for (name, _, get) in columns {
                w.write_record(["year", name, &year, &get(r).to_string()])?;
            }
        }
        for (k, v) in outcome_names.iter().zip(outcomes) {
            let cell = if v.is_nan() {
                String::new()
            } else {
                v.to_string()
            };
            w.write_record(["outcome", k, "", &cell])?;
        }
        w.flush()?;
        Ok(())
    };
    // Whole or not at all: a staging file beside it, renamed over it.
    // A file of the user's created at `path` during the run is refused at the rename.
    super::write_named_file(path, TRACE_CSV, |f| write(f).map_err(std::io::Error::other))
}
