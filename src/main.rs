//! `copydesk`: see `cli.rs`.

fn main() -> std::process::ExitCode {
    copydesk::cli::run()
}
