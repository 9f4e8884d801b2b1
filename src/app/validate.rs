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
            crate::out::println!(
                "{}: ok ({}, {} parameters)",
                path.display(),
                scenario.name,
                scenario.params.len()
            );
        }
    }
    Ok(())
}
