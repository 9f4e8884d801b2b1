//! Interrupts: the staging folders and files this process has not committed yet, removed
//! on SIGINT/SIGTERM (exit 130), and the deferral a checkpointed run takes so that the first
//! signal lets it write its checkpoint before stopping.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::EXIT_INTERRUPTED;

/// Staging folders and files of this process that are not committed yet: what the
/// interrupt handler removes. Also held while a commit replaces a folder, so an interrupt
/// waits for the replacement to finish.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub(super) fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn forget(live: &mut Vec<PathBuf>, path: &Path) {
    live.retain(|p| p != path);
}

/// Removes a file or a folder, whichever `path` is.
pub(super) fn remove(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes every live staging folder and file of this process (the handlers of SIGINT,
/// SIGTERM and a closed standard output call it just before exiting). Waits for a commit
/// in progress to finish.
pub fn remove_live_staging() {
    let mut live = live();
    for path in live.drain(..) {
        let _ = remove(&path);
    }
    // Keep the lock until the process exits: no commit starts after this.
    std::mem::forget(live);
}

/// Installs a SIGINT/SIGTERM handler that removes this process's staging folders and exits
/// with [`EXIT_INTERRUPTED`] (130). Earlier results are left as they were (a commit in
/// progress is finished first). While a [`Deferral`] is alive (a checkpointed run's block
/// loop), the first signal only sets the flag [`interrupt_requested`] reads: the loop writes
/// its checkpoint and then calls [`exit_interrupted`]; a second signal exits at once.
pub fn remove_staging_on_interrupt() -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("defsim-interrupt".into())
        .spawn(move || {
            for _ in signals.forever() {
                let decided = deferral_lock();
                if DEFERRED.load(Ordering::SeqCst) && !REQUESTED.swap(true, Ordering::SeqCst) {
                    eprintln!(
                        "defsim: interrupted; writing the checkpoint, then stopping (interrupt \
                         again to stop at once, keeping the previous checkpoint)"
                    );
                    continue;
                }
                drop(decided);
                exit_interrupted("unfinished outputs removed, earlier results untouched");
            }
        })?;
    Ok(())
}

/// Removes every live staging folder and file, says why on stderr and exits with
/// [`EXIT_INTERRUPTED`] (130).
pub fn exit_interrupted(note: &str) -> ! {
    remove_live_staging();
    eprintln!("defsim: interrupted; {note}");
    std::process::exit(i32::from(EXIT_INTERRUPTED))
}

/// Whether a [`Deferral`] is alive: the interrupt handler then only sets [`REQUESTED`].
static DEFERRED: AtomicBool = AtomicBool::new(false);

/// Whether a SIGINT/SIGTERM arrived while a [`Deferral`] was alive.
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Orders the handler's decision (defer or exit) with the start and end of a deferral.
static DEFERRAL: Mutex<()> = Mutex::new(());

fn deferral_lock() -> MutexGuard<'static, ()> {
    DEFERRAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// While alive, the first SIGINT/SIGTERM does not end the process: it sets the flag that
/// [`interrupt_requested`] reads, and the owner (a checkpointed run's block loop, which polls
/// it after every wave) writes its checkpoint and calls [`exit_interrupted`]. Ended by
/// [`Deferral::end`]; dropped without it after a request (an error path), it exits 130.
#[derive(Debug)]
pub struct Deferral {
    _private: (),
}

/// Starts a [`Deferral`].
pub fn defer_interrupts() -> Deferral {
    let _decided = deferral_lock();
    DEFERRED.store(true, Ordering::SeqCst);
    Deferral { _private: () }
}

/// Whether a SIGINT/SIGTERM arrived since the [`Deferral`] began.
pub fn interrupt_requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

impl Deferral {
    /// Ends the deferral (later signals exit at once) and returns whether a signal arrived
    /// during it, which the caller must then act on.
    pub fn end(self) -> bool {
        let requested = {
            let _decided = deferral_lock();
            DEFERRED.store(false, Ordering::SeqCst);
            REQUESTED.load(Ordering::SeqCst)
        };
        std::mem::forget(self);
        requested
    }
}

impl Drop for Deferral {
    fn drop(&mut self) {
        let requested = {
            let _decided = deferral_lock();
            DEFERRED.store(false, Ordering::SeqCst);
            REQUESTED.load(Ordering::SeqCst)
        };
        if requested {
            exit_interrupted(
                "stopped before the checkpoint could be written; the previous one is kept",
            );
        }
    }
}
