//! Long work on the page's thread in slices: a job stepped for at most [`SLICE_MS`] at a time,
//! the browser drawing and answering input between slices, and dropped when a newer request
//! makes it stale.

/// The longest the page works on a job before letting the browser draw and handle input.
pub const SLICE_MS: f64 = 25.0;

/// Runs `step` until it gives a result, in slices of at most [`SLICE_MS`] with a turn of the
/// browser between them; the result while `current()` holds, else nothing (a newer request
/// took over, and the job stops at the next slice).
pub async fn in_slices<T>(
    mut step: impl FnMut() -> Option<T>,
    current: impl Fn() -> bool,
) -> Option<T> {
    loop {
        let start = js_sys::Date::now();
        while js_sys::Date::now() - start < SLICE_MS {
            if let Some(done) = step() {
                return current().then_some(done);
            }
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
        if !current() {
            return None;
        }
    }
}
