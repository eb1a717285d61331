//! error-otel across the hop: one trace from the client's call span to the server's span,
//! through `InjectLayer` over a tonic channel and `propagation::extract` on the server; and
//! the server's code on the client's span.

use std::sync::{Arc, LazyLock};

use error_core::wire::grpc::Encoder;
use error_otel::propagation::{self, InjectLayer};
use error_otel::{Deviation, Operation, OtelLayer, Recorder};
use error_tower::http::GrpcSanitizeLayer;
use examples::cluster::grpc::{self, Call, Handler, KeyValue, Reply};
use opentelemetry::trace::{SpanKind, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tonic::transport::Endpoint;
use tower::{ServiceBuilder, ServiceExt as _};
use tracing_subscriber::layer::SubscriberExt as _;

static SERVER: LazyLock<Recorder> = LazyLock::new(|| Recorder::new(Operation::RPC_SERVER));

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}

async fn failing_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handler: Handler = Arc::new(|call: Call| {
        let span = error_otel::operation_span!(SERVER, rpc.method = call.method.name());
        assert!(propagation::set_parent(
            &span,
            propagation::extract(&call.headers)
        ));
        let error = error_core::Error::busy("queue full")
            .with_code("queue.full")
            .with_retry_after(std::time::Duration::from_millis(5));
        SERVER.record(&span, &error);
        let status = Encoder::new("kv.test").encode(&error);
        Box::pin(async move { Err::<Reply, _>(status) })
    });
    tokio::spawn(grpc::serve(listener, handler));
    addr
}

#[tokio::test]
async fn one_trace_from_client_to_server_with_the_servers_code_on_the_client_span() {
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("wire-test")));
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = failing_server().await;
    let channel = Endpoint::from_shared(format!("http://{server}"))
        .unwrap()
        .connect_lazy();
    let grpc = tonic::client::Grpc::new(
        ServiceBuilder::new()
            .layer(InjectLayer::new())
            .layer(GrpcSanitizeLayer::new())
            .service(channel),
    );
    let kv = tower::service_fn(move |key: String| {
        let mut grpc = grpc.clone();
        async move {
            grpc.ready()
                .await
                .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
            grpc.unary::<_, Reply, _>(
                tonic::Request::new(KeyValue {
                    key,
                    value: String::new(),
                }),
                http::uri::PathAndQuery::from_static(grpc::GET),
                tonic_prost::ProstCodec::default(),
            )
            .await
        }
    });

    for deviate in [false, true] {
        let mut recorder = Recorder::new(Operation::RPC_CLIENT);
        if deviate {
            recorder = recorder.deviate(Deviation::CodeAsErrorType);
        }
        let client = ServiceBuilder::new()
            .layer(OtelLayer::new(Operation::RPC_CLIENT).recorder(recorder))
            .service(kv.clone());
        let status = client.oneshot("a".to_owned()).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    }

    let spans = memory.get_finished_spans().unwrap();
    let clients: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.span_kind == SpanKind::Client)
        .collect();
    let servers: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.span_kind == SpanKind::Server)
        .collect();
    assert_eq!(clients.len(), 2);
    assert_eq!(servers.len(), 2);
    for (client, server) in clients.iter().zip(&servers) {
        // The server's span is the client span's child, in its trace, across the socket.
        assert_eq!(
            server.span_context.trace_id(),
            client.span_context.trace_id()
        );
        assert_eq!(server.parent_span_id, client.span_context.span_id());
        assert!(server.parent_span_is_remote);
        // The status the server returned is the client span's response status (the server
        // stated it: `stated_status`), and the server's code is on the client span.
        assert_eq!(
            attribute(client, error_otel::semconv::RPC_STATUS_CODE).as_deref(),
            Some("RESOURCE_EXHAUSTED")
        );
        assert_eq!(
            attribute(client, "classified.code").as_deref(),
            Some("queue.full")
        );
        assert_eq!(
            attribute(client, "classified.class").as_deref(),
            Some("busy")
        );
        assert_eq!(
            attribute(server, "classified.code").as_deref(),
            Some("queue.full")
        );
    }
    assert_ne!(
        clients[0].span_context.trace_id(),
        clients[1].span_context.trace_id()
    );
    // By default the conventions: the status name; with the deviation, the server's code.
    assert_eq!(
        attribute(clients[0], "error.type").as_deref(),
        Some("RESOURCE_EXHAUSTED")
    );
    assert_eq!(
        attribute(clients[1], "error.type").as_deref(),
        Some("queue.full")
    );
}
