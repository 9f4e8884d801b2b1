//! `defsim`: parse the command line, run the verb, map errors to exit codes
//! (0 success, 1 a check failed or the run failed, 2 bad input or usage, 130 interrupted by
//! SIGINT or SIGTERM).

use std::process::ExitCode;

use clap::Parser;
use defsim::app::{self, BadInput};
use defsim::cli::{Cli, Command};
use defsim::export::staging;
use defsim::scenario::ScenarioError;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Err(e) = staging::remove_staging_on_interrupt() {
        eprintln!("error: cannot install the interrupt handler: {e}");
        return ExitCode::from(1);
    }
    defsim::out::set_quiet(cli.quiet);
    let result = match &cli.command {
        Command::Run(args) => app::run(args),
        Command::Validate(args) => app::validate(args),
        Command::Check(args) => app::check(args),
        Command::Trace(args) => app::trace(args),
        Command::Sensitivity(args) => app::sensitivity(args),
        Command::Discover(args) => app::discover(args),
        Command::Compare(args) => app::compare(args),
        Command::Sweep(args) => app::sweep(args),
        Command::List(args) => app::list(args),
        Command::Schema => app::schema(),
        Command::Explore(args) => app::explore(args),
        Command::Merge(args) => app::merge(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.is::<ScenarioError>() || e.is::<BadInput>() || e.is::<staging::Refusal>() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
