//! Words for the command line's sentences.

/// `n` with the word for one or for more: "1 case", "2 cases".
pub fn plural(n: impl Into<i64>, one: &str, more: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { more })
}

/// A progress bar's rate as "1,234 events/s", for `ProgressStyle::with_key`.
pub fn rate(
    unit: &'static str,
) -> impl Fn(&indicatif::ProgressState, &mut dyn std::fmt::Write) + Send + Sync + Clone + 'static {
    move |state, out| {
        let _ = write!(
            out,
            "{} {unit}/s",
            indicatif::HumanCount(state.per_sec() as u64)
        );
    }
}
