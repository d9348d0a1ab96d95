//! The OpenAPI document as a client reads it: every operation at the path
//! it calls, its server's URL (the path's own, or the document's) joined
//! with the path.

use serde_json::Value;

/// Each operation as (method in lower case, the path called, the operation).
pub fn operations(document: &Value) -> Vec<(String, String, &Value)> {
    let base = document["servers"][0]["url"].as_str().unwrap_or("");
    let mut all = Vec::new();
    for (path, item) in document["paths"]
        .as_object()
        .expect("the document has paths")
    {
        let server = item["servers"][0]["url"].as_str().unwrap_or(base);
        let called = format!("{}{path}", server.trim_end_matches('/'));
        for (method, operation) in item.as_object().expect("a path item is an object") {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                all.push((method.clone(), called.clone(), operation));
            }
        }
    }
    all
}
