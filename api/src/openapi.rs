//! The OpenAPI 3.1 document's frame: title, version, tags and the security
//! scheme. The paths and schemas come from the routes themselves.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API's full version, in `info.version` and in the `API-Version` header
/// of every answer (REST API Design Rules, `/core/version-header`). The
/// major version is in the server URI, [`BASE_PATH`].
pub const API_VERSION: &str = "1.0.0";
/// Where the API's paths begin: its major version is in the URI
/// (`/core/uri-version`).
pub const BASE_PATH: &str = "/api/v1";
pub const API_VERSION_HEADER: &str = "api-version";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casus",
        version = API_VERSION,
        description = "Case management for the youth-crime prevention line Preventie met gezag. \
            Every write answers with the case id and its new version; every read takes a \
            `minVersion` to wait for. Errors are application/problem+json (RFC 9457).",
        license(name = "EUPL-1.2"),
    ),
    components(schemas(casus_domain::Stage)),
    modifiers(&BearerScheme),
    security(("bearer" = [])),
    tags(
        (name = "cases", description = "Open cases and record what happens on them"),
        (name = "views", description = "The caller's domain view of cases"),
        (name = "supervision", description = "Caseloads and bulk reassignment"),
        (name = "audit", description = "History, point in time, export, access log and verification"),
        (name = "privacy", description = "Erasure of a young person's data, and anonymous programme statistics"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
    )
)]
struct Frame;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT signed with RS256 or ES256 by the identity provider, with the \
                         claims sub, name, org, domain, roles, municipality and team.",
                    ))
                    .build(),
            ),
        );
    }
}

/// What the server checks beyond the types, stated once for the whole
/// document (applied to it whole, once the routes added their schemas): no
/// object the server reads from a body takes members it does not name (it
/// refuses unknown fields; what it answers may grow), a parameter is never JSON
/// `null` (an optional one is left out), and no string parameter holds a
/// NUL character (refused before any lookup).
pub struct WhatTheServerChecks;

impl Modify for WhatTheServerChecks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{AdditionalProperties, Schema, SchemaType, Type};
        use utoipa::openapi::RefOr;
        let read = read_from_bodies(openapi);
        if let Some(components) = openapi.components.as_mut() {
            for (name, schema) in components.schemas.iter_mut() {
                if let (true, RefOr::T(Schema::Object(object))) = (read.contains(name), schema) {
                    let an_object = object.schema_type == SchemaType::Type(Type::Object);
                    if an_object && object.additional_properties.is_none() {
                        object.additional_properties =
                            Some(Box::new(AdditionalProperties::FreeForm(false)));
                    }
                }
            }
        }
        let strings = |t: &SchemaType| match t {
            SchemaType::Type(t) => *t == Type::String,
            SchemaType::Array(types) => types.contains(&Type::String),
            SchemaType::AnyValue => false,
        };
        for operation in operations(openapi) {
            for parameter in operation.parameters.iter_mut().flatten() {
                // An optional enum is `oneOf: [null, its schema]`: its schema.
                if let Some(RefOr::T(Schema::OneOf(one_of))) = parameter.schema.as_ref() {
                    let not_null = one_of.items.iter().find(|item| {
                        !matches!(item, RefOr::T(Schema::Object(o))
                            if o.schema_type == SchemaType::Type(Type::Null))
                    });
                    parameter.schema = not_null.cloned();
                }
                if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
                    if let SchemaType::Array(types) = &object.schema_type {
                        let types: Vec<Type> = types
                            .iter()
                            .filter(|t| **t != Type::Null)
                            .cloned()
                            .collect();
                        object.schema_type = match types.as_slice() {
                            [single] => SchemaType::Type(single.clone()),
                            _ => SchemaType::Array(types),
                        };
                    }
                    let plain = object.pattern.is_none() && object.format.is_none();
                    if plain && strings(&object.schema_type) {
                        object.pattern = Some("^[^\\u0000]*$".into());
                    }
                }
            }
        }
    }
}

/// Every operation of the document.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// The schemas a request body uses, directly or through others.
fn read_from_bodies(openapi: &utoipa::openapi::OpenApi) -> std::collections::BTreeSet<String> {
    let refs = |value: &serde_json::Value, found: &mut Vec<String>| {
        let text = value.to_string();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#/components/schemas/") {
            rest = &rest[at + "#/components/schemas/".len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].to_owned());
        }
    };
    let document = serde_json::to_value(openapi).expect("the document serialises");
    let mut pending = Vec::new();
    for item in document["paths"].as_object().into_iter().flatten() {
        for operation in item.1.as_object().into_iter().flatten() {
            refs(&operation.1["requestBody"], &mut pending);
        }
    }
    let mut read = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if read.insert(name.clone()) {
            refs(&document["components"]["schemas"][&name], &mut pending);
        }
    }
    read
}

/// Schema names are UpperCamelCase (REST API Design Rules): utoipa names
/// a generic schema `Name_Argument`, e.g. `Personal_Text`; here it becomes
/// `PersonalText`, and every reference follows.
pub struct SchemaNames;

impl Modify for SchemaNames {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let renamed: Vec<(String, String)> = components
            .schemas
            .keys()
            .filter(|name| name.contains('_'))
            .map(|name| (name.clone(), name.replace('_', "")))
            .collect();
        if renamed.is_empty() {
            return;
        }
        for (old, new) in &renamed {
            if let Some(schema) = components.schemas.remove(old) {
                components.schemas.insert(new.clone(), schema);
            }
        }
        // References are plain strings in the document: rewrite them in its JSON.
        let mut json = serde_json::to_string(openapi).expect("the document serialises");
        for (old, new) in &renamed {
            json = json.replace(
                &format!("\"#/components/schemas/{old}\""),
                &format!("\"#/components/schemas/{new}\""),
            );
        }
        *openapi = serde_json::from_str(&json).expect("the document reads back");
    }
}

/// Every successful answer carries the `API-Version` header, and the
/// document says so.
pub struct VersionHeader;

impl Modify for VersionHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::Header;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::RefOr;
        let mut header = Header::new(ObjectBuilder::new().schema_type(Type::String));
        header.description = Some(format!("The API's full version, {API_VERSION}"));
        for operation in operations(openapi) {
            for (status, response) in operation.responses.responses.iter_mut() {
                let success = status.starts_with('2') || status.starts_with('3');
                if let (true, RefOr::T(response)) = (success, response) {
                    response
                        .headers
                        .insert("API-Version".into(), header.clone());
                }
            }
        }
    }
}

/// The document's `servers` carry the major version (`/core/uri-version`):
/// the API's paths are written relative to [`BASE_PATH`], as a client joins
/// them; the operations endpoints live at the root, and each says so with a
/// server of its own.
pub struct Servers;

impl Modify for Servers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::server::ServerBuilder;
        let server = |url: &str, description: &str| {
            ServerBuilder::new()
                .url(url)
                .description(Some(description))
                .build()
        };
        openapi.servers = Some(vec![server(BASE_PATH, "Casus, major version 1")]);
        let paths = std::mem::take(&mut openapi.paths.paths);
        for (path, mut item) in paths {
            let relative = match path.strip_prefix(BASE_PATH) {
                Some(rest) => rest.to_owned(),
                None => {
                    item.servers = Some(vec![server("/", "Casus's operations endpoints")]);
                    path
                }
            };
            openapi.paths.paths.insert(relative, item);
        }
    }
}

/// Who answers questions about this deployment's API (`info.contact`,
/// `/core/doc-openapi-contact`): the operator's, so it comes from
/// configuration and is left out where none is given.
#[derive(Clone, Debug)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub url: String,
}

pub fn document() -> utoipa::openapi::OpenApi {
    Frame::openapi()
}
