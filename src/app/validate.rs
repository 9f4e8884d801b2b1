//! `defsim validate`: parse and check scenario files.

use anyhow::Result;

use crate::cli::ValidateArgs;
use crate::model;

/// `defsim validate`.
pub fn validate(args: &ValidateArgs) -> Result<()> {
    for path in &args.scenarios {
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
