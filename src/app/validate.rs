//! `defsim validate`: parse and check scenario files and experiment files (a file with an
//! `[experiment]` table is an experiment: its scenario under every policy is checked).

use anyhow::Result;

use crate::cli::ValidateArgs;
use crate::{experiment, model};

/// `defsim validate`.
pub fn validate(args: &ValidateArgs) -> Result<()> {
    for path in &args.scenarios {
        if experiment::is_experiment(path) {
            let e = experiment::load(path, args.force)?;
            for w in &e.warnings {
                eprintln!("warning: {}: {w}", path.display());
            }
            crate::out::println!(
                "{}: ok (experiment {}, {} policies of scenario {}, {} trials each)",
                path.display(),
                e.name,
                e.policies.len(),
                e.scenario.name,
                e.trials
            );
            continue;
        }
        let scenario = model::load(path, &args.set)?;
        if args.print {
            crate::out::print!("{}", scenario.print_resolved());
        } else {
            let mode = if scenario.trials > super::STREAMING_THRESHOLD {
                format!(
                    "; {} trials: more than {}, so `run` streams them (quantiles from the \
                     sketch), and verbs that keep every trial take at most {}",
                    scenario.trials,
                    super::STREAMING_THRESHOLD,
                    super::MAX_TRIALS
                )
            } else {
                String::new()
            };
            crate::out::println!(
                "{}: ok ({}, {} parameters{mode})",
                path.display(),
                scenario.name,
                scenario.params.len()
            );
        }
    }
    Ok(())
}
