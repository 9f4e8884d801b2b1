//! Standard output that a closed pipe does not crash: `defsim trace ... | head -3` stops
//! quietly (exit 0, as `ripgrep` does) instead of panicking in `println!`. Every verb prints
//! through `out::println!` and `out::print!`, which take the arguments of `std`'s.

use std::io::{self, Write};

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

/// `println!` that exits quietly when standard output is closed (see [`crate::out`]).
macro_rules! println {
    () => {
        $crate::out::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that exits quietly when standard output is closed (see [`crate::out`]).
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*))
    };
}

pub(crate) use {print, println};
