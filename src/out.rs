//! Standard output that a closed pipe does not crash: `defsim trace ... | head -3` stops
//! quietly (exit 0, as `ripgrep` does) instead of panicking in `println!`. Every verb prints
//! through `out::println!` and `out::print!`, which take the arguments of `std`'s; status
//! notes on standard error go through `out::note!`, which `--quiet` silences.

use std::io::{self, Write};

/// `--quiet`: the verbs' tables and notes are not printed (warnings and errors still are).
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--quiet` for this process.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes to standard output unless `--quiet` (see [`write`]).
pub fn say(args: std::fmt::Arguments<'_>) {
    if !quiet() {
        write(args);
    }
}

/// Writes to standard output; on a closed pipe removes this process's staging folders and
/// exits 0 quietly; on another write error says so and exits 1.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        drop(out);
        crate::export::staging::remove_live_staging();
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Writes a note (a status line such as "shard 1/3: trials ..." or "merged 3 parts ...") to
/// standard error unless `--quiet`. Warnings and errors are not notes: they use `eprintln!`
/// and are printed whatever `--quiet` says. A failed write to standard error is ignored.
pub fn write_note(args: std::fmt::Arguments<'_>) {
    if !quiet() {
        let _ = writeln!(io::stderr().lock(), "{args}");
    }
}

/// `eprintln!` for notes: nothing under `--quiet` (see [`write_note`]).
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::out::write_note(format_args!($($arg)*))
    };
}

/// `println!` that exits quietly when standard output is closed (see [`crate::out`]).
macro_rules! println {
    () => {
        $crate::out::say(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::out::say(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that exits quietly when standard output is closed (see [`crate::out`]).
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::out::say(format_args!($($arg)*))
    };
}

pub(crate) use {note, print, println};
