//! `defsim validate`: parse and check scenario files.

use super::{say, say_raw};
use anyhow::Result;

use crate::cli::ValidateArgs;
use crate::model;

/// `defsim validate`.
pub fn validate(args: &ValidateArgs) -> Result<()> {
    for path in &args.scenarios {
        let scenario = model::load(path, &args.set)?;
        if args.print {
            say_raw!("{}", scenario.print_resolved());
        } else {
            say!(
                "{}: ok ({}, {} parameters)",
                path.display(),
                scenario.name,
                scenario.params.len()
            );
        }
    }
    Ok(())
}
