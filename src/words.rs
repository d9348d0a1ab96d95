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

/// A date on the command line, or what form it takes.
pub fn date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: write it YYYY-MM-DD, e.g. 2026-11-30"))
}
