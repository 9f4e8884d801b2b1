//! `defsim list parameters|outcomes|series` and `defsim schema`: what a scenario may say and
//! what a run reports, read from the model's own schemas (no scenario needed).

use anyhow::Result;

use crate::cli::{ListArgs, ListWhat};
use crate::model::{self, key_schema};
use crate::scenario::{self, Fixed, KeyKind, Role, scenario_table};

/// `defsim list`.
pub fn list(args: &ListArgs) -> Result<()> {
    match args.what {
        ListWhat::Parameters => parameters(),
        ListWhat::Outcomes => outcomes(),
        ListWhat::Series => series(),
    }
    Ok(())
}

fn parameters() {
    let keys = key_schema();
    crate::out::println!(
        "{:<44} {:<44} {:<30} meaning",
        "key",
        "accepted values",
        "unit"
    );
    for k in scenario_table().iter().chain(&keys.keys) {
        let domain = match &k.kind {
            KeyKind::Number {
                role,
                domain,
                plausible,
            } => {
                let role = match role {
                    Role::Uncertain => "",
                    Role::Lever if keys.paths.contains(&k.path.as_str()) => {
                        " (lever; or a yearly path)"
                    }
                    Role::Lever => " (lever)",
                    Role::Threshold => " (threshold)",
                };
                if plausible == domain {
                    format!("number in {domain}{role}")
                } else {
                    format!("number in {plausible} (domain {domain}){role}")
                }
            }
            KeyKind::Fixed(Fixed::Count { min, max }) => format!("an integer in [{min}, {max}]"),
            KeyKind::Fixed(f) => {
                let optional = if f.optional() { ", optional" } else { "" };
                format!("{}{optional}", f.what())
            }
        };
        crate::out::println!("{:<44} {:<44} {:<30} {}", k.path, domain, k.unit, k.meaning);
    }
    crate::out::println!(
        "{:<44} {:<44} {:<30} the analyst's own 0/1 outcomes over outcomes",
        "[criteria] NAME",
        "\"expression\", optional",
        "1 = met"
    );
    crate::out::println!(
        "{:<44} {:<44} {:<30} rank correlations of uncertain parameters (per-trial Gaussian copula)",
        "[[correlations]] keys, rank, source",
        "rank in (-1, 1), optional",
        "Spearman rank"
    );
}

fn outcomes() {
    crate::out::println!("{:<32} {:<48} meaning", "outcome", "unit");
    for o in model::outcomes::schema()
        .into_iter()
        .chain(model::outcomes::extra_schema())
    {
        crate::out::println!("{:<32} {:<48} {}", o.name, o.unit, o.meaning);
    }
    crate::out::println!(
        "{:<32} {:<48} each [criteria] entry of the scenario",
        "<criterion name>",
        "1 = met"
    );
}

fn series() {
    crate::out::println!("{:<32} axis label (unit)", "series");
    for s in model::series_with_units(&["<unit>"; model::params::N_LINES]) {
        crate::out::println!("{:<32} {}", s.name, s.label);
    }
}

/// `defsim schema`: the JSON Schema of scenario files.
pub fn schema() -> Result<()> {
    let schema = scenario::json_schema(&key_schema());
    // The schema is the command's answer, not a table: --quiet keeps it.
    crate::out::write(format_args!("{}\n", serde_json::to_string_pretty(&schema)?));
    Ok(())
}
