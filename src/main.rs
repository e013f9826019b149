//! The `nucagree` command. Errors print as `error: <context>: <cause>` and exit with code 2;
//! code 1 is kept for a missed `--fail-under` threshold; 0 is success.

mod cli;

/// mimalloc: reading millions of nuclei allocates a few small vectors each, and glibc's
/// per-thread arenas grow in small steps (an mprotect call for each).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        // A reader that closed standard output asked for no more.
        Err(e) if cli::stdout_was_closed(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}{}", cli::remedy(&e).unwrap_or_default());
            ExitCode::from(2)
        }
    }
}
