//! The file store on an S3-compatible bucket (`FILE_STORE_URL=s3://…`), against a small fake S3 that keeps
//! objects in memory and speaks S3's PUT/GET/DELETE.

use crate::helpers::spawn_app_with;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[derive(Clone, Default)]
struct FakeS3(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl Respond for FakeS3 {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let key = req.url.path().to_owned();
        let mut objects = self.0.lock().unwrap();
        match req.method.as_str() {
            "PUT" => {
                objects.insert(key, req.body.clone());
                ResponseTemplate::new(200).insert_header("ETag", "\"etag-1\"")
            }
            "GET" | "HEAD" => match objects.get(&key) {
                Some(body) => ResponseTemplate::new(200)
                    .insert_header("ETag", "\"etag-1\"")
                    .insert_header("Last-Modified", "Fri, 27 Nov 2026 10:00:00 GMT")
                    .insert_header("Content-Length", body.len().to_string().as_str())
                    .set_body_bytes(body.clone()),
                None => ResponseTemplate::new(404)
                    .set_body_string("<Error><Code>NoSuchKey</Code></Error>"),
            },
            "DELETE" => {
                objects.remove(&key);
                ResponseTemplate::new(204)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

#[tokio::test]
async fn files_can_live_in_an_s3_compatible_bucket() {
    let s3 = MockServer::start().await;
    let fake = FakeS3::default();
    Mock::given(wiremock::matchers::any())
        .respond_with(fake.clone())
        .mount(&s3)
        .await;
    let app = spawn_app_with(&[
        ("FILE_STORE_URL", "s3://switchboard-files/prod"),
        ("AWS_ENDPOINT", &s3.uri()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test-key"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
    ])
    .await;

    app.state
        .files
        .put("attachments/7", b"voicemail bytes")
        .await
        .unwrap();
    let back = app.state.files.get("attachments/7").await.unwrap();
    app.state.files.delete("attachments/7").await;

    assert_eq!(back, b"voicemail bytes");
    let requests = s3.received_requests().await.unwrap();
    let put = requests
        .iter()
        .find(|r| r.method.as_str() == "PUT")
        .expect("a PUT");
    assert_eq!(put.url.path(), "/switchboard-files/prod/attachments/7");
    assert!(put.headers.get("authorization").is_some_and(|a| a
        .to_str()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 Credential=test-key/")));
    assert!(
        fake.0.lock().unwrap().is_empty(),
        "the DELETE removed the object"
    );
    assert!(app.state.files.get("attachments/7").await.is_err());
}
