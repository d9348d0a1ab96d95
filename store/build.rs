// The migrations are embedded at compile time (`sqlx::migrate!`); a new
// migration must rebuild this crate (as sqlx's documentation advises).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
