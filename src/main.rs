//! The `flowpol` binary: mounts the web app when compiled to WebAssembly, and is the
//! command-line tool when compiled natively.

#[cfg(target_arch = "wasm32")]
fn main() {
    flowpol::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    flowpol::cli::run()
}
