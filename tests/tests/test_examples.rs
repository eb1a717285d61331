//! The six examples of `examples/src` (`raft_errors`, `mayastor_rpc`, `slatedb_public`,
//! `dqlite_hierarchy`, `tower_retry`, `checkout`): each `run()` output exactly as the
//! example prints it, and the error values behind it (class, code, status, retry hint,
//! reports, the raft enums' catalog) or, for `tower_retry`, the counts behind each phase.

use std::time::Duration;

use error_core::{Class, ClassifiedError, Level, Report, Retriable, Status};

/// What `cargo run -p examples --example mayastor_rpc` prints.
const MAYASTOR_RPC: &str = r"create replica dbe4d7eb-118a-4d15-b789-a18d9af6ff21 on pool-1: ok
create replica dbe4d7eb-118a-4d15-b789-a18d9af6ff21 on pool-1: failed
  log:    failed to create replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`: replica already exists
  status: ALREADY_EXISTS (grpc 6, http 409)
  stack:
    failed to create replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21` (invalid, RpcError::CreateReplica)
      caused by: replica already exists (invalid, ReplicaError::ReplicaExists)
share replica dbe4d7eb-118a-4d15-b789-a18d9af6ff21: failed
  log:    failed to share replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`: failed to share replica over nvmf: nvmf subsystem is busy. nqn=`nqn.2019-05.io.openebs:dbe4d7eb-118a-4d15-b789-a18d9af6ff21`, op=`add namespace`
  status: RESOURCE_EXHAUSTED (grpc 8, http 429)
  retry:  after 250ms
  stack:
    failed to share replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21` (busy, RpcError::ShareReplica)
      caused by: failed to share replica over nvmf (busy, ReplicaError::ShareFailed)
      caused by: nvmf subsystem is busy. nqn=`nqn.2019-05.io.openebs:dbe4d7eb-118a-4d15-b789-a18d9af6ff21`, op=`add namespace` (busy, NvmfError::SubsystemBusy)
";

/// What `cargo run -p examples --example raft_errors` prints.
const RAFT_ERRORS: &str = r"not the leader. leader_hint=`3`
  class:  redirect (retriable)
  code:   raft.not_leader
  action: retry against the hinted target
no leader. term=`7`
  class:  transient (retriable)
  code:   raft.no_leader
  action: back off, retry
too many pending proposals. pending=`1024`, max=`1024`
  class:  busy (retriable)
  code:   ProposeError::Busy
  action: back off longer, retry within a budget (not before 50ms)
leader stepped down. term=`8`
  class:  transient (retriable)
  code:   ProposeError::SteppedDown
  action: back off, retry
runtime is shutting down
  class:  closed (not retriable)
  code:   ProposeError::Shutdown
  action: stop calling; create a new instance
raft driver task died
  class:  fatal (not retriable)
  code:   raft.driver_dead
  action: restart the process
storage fault. path=`<redacted>`
  class:  fatal (not retriable)
  code:   raft.storage
  action: restart the process
not the leader. leader_hint=`2`
  class:  redirect (retriable)
  code:   raft.not_leader
  action: retry against the hinted target
no leader
  class:  transient (retriable)
  code:   raft.no_leader
  action: back off, retry
read index not applied yet. retry_in=`5ms`, applied=`41`, read_index=`42`
  class:  transient (retriable)
  code:   ReadError::NotReady
  action: back off, retry (not before 5ms)
runtime is shutting down
  class:  closed (not retriable)
  code:   ReadError::Shutdown
  action: stop calling; create a new instance
not the leader. leader_hint=`1`
  class:  redirect (retriable)
  code:   raft.not_leader
  action: retry against the hinted target
invalid transfer target. target=`9`, voters=`3`
  class:  invalid (not retriable)
  code:   TransferLeadershipError::InvalidTarget
  action: fix the input; retrying as-is never helps
runtime is shutting down
  class:  closed (not retriable)
  code:   TransferLeadershipError::Shutdown
  action: stop calling; create a new instance
";

/// The catalog of the raft example's three enums, as `error_core::catalog::markdown`
/// renders it (and as `examples/README.md` shows it).
const RAFT_CATALOG: &str = r"| error | code | class | status | level | retry | message | fields |
|---|---|---|---|---|---|---|---|
| `ProposeError::NotLeader` | `raft.not_leader` | redirect | unavailable | warn |  | `not the leader` | `leader_hint` |
| `ProposeError::NoLeader` | `raft.no_leader` | transient | unavailable | warn |  | `no leader` | `term` |
| `ProposeError::Busy` | `ProposeError::Busy` | busy | resource_exhausted | warn | 50ms | `too many pending proposals` | `pending`, `max` |
| `ProposeError::SteppedDown` | `ProposeError::SteppedDown` | transient | unavailable | warn |  | `leader stepped down` | `term` |
| `ProposeError::Shutdown` | `ProposeError::Shutdown` | closed | unavailable | info |  | `runtime is shutting down` |  |
| `ProposeError::DriverDead` | `raft.driver_dead` | fatal | internal | error |  | `raft driver task died` |  |
| `ProposeError::Storage` | `raft.storage` | fatal | internal | error |  | `storage fault` | `path` (redacted) |
| `ReadError::NotLeader` | `raft.not_leader` | redirect | unavailable | warn |  | `not the leader` | `leader_hint` |
| `ReadError::NoLeader` | `raft.no_leader` | transient | unavailable | warn |  | `no leader` |  |
| `ReadError::NotReady` | `ReadError::NotReady` | transient | unavailable | warn |  | `read index not applied yet` | `retry_in`, `applied`, `read_index` |
| `ReadError::Shutdown` | `ReadError::Shutdown` | closed | unavailable | info |  | `runtime is shutting down` |  |
| `TransferLeadershipError::NotLeader` | `raft.not_leader` | redirect | unavailable | warn |  | `not the leader` | `leader_hint` |
| `TransferLeadershipError::InvalidTarget` | `TransferLeadershipError::InvalidTarget` | invalid | invalid_argument | info |  | `invalid transfer target` | `target`, `voters` |
| `TransferLeadershipError::Shutdown` | `TransferLeadershipError::Shutdown` | closed | unavailable | info |  | `runtime is shutting down` |  |
";

/// What `cargo run -p examples --example slatedb_public` prints.
const SLATEDB_PUBLIC: &str = r#"Db::open(l0_sst_size_bytes = 0)
  message:  invalid configuration. setting=`l0_sst_size_bytes`, value=`0`
  class:    invalid
  code:     SlateDBError::InvalidConfiguration
  decision: fix the input

db.put("", "v")
  message:  key is empty
  class:    invalid
  code:     slatedb.empty_key
  decision: fix the input

txn.commit() after a concurrent commit
  message:  transaction conflict. txn_id=`2`
  class:    conflict
  code:     SlateDBError::TransactionConflict
  decision: retry

db.get("k1") with the object store down
  message:  object store error
  class:    transient
  code:     SlateDBError::ObjectStore
  decision: retry

db.get("k2") of a corrupt block
  message:  checksum mismatch. sst=`000001.sst`, expected=`20045`, actual=`621428`
  class:    data
  code:     SlateDBError::ChecksumMismatch
  decision: drop

db.get("k2") of a deleted SST
  message:  object store error
  class:    data
  code:     SlateDBError::ObjectStore
  decision: drop

db.flush() after a WAL id regression
  message:  invariant violated. invariant=`next_wal_id > last_flushed_wal_id`
  class:    internal
  code:     SlateDBError::InvariantViolation
  decision: drop

db.put("k3", "v3") after db.close()
  message:  database is closed. reason=`clean`
  class:    closed
  code:     SlateDBError::Closed
  decision: drop

db.put("k3", "v3") by a fenced writer
  message:  database is closed. reason=`fenced`
  class:    closed
  code:     SlateDBError::Closed
  decision: drop

db.flush() after the compactor panicked
  message:  database is closed. reason=`panic`
  class:    closed
  code:     SlateDBError::Closed
  decision: drop

The public error catalog (every SlateDBError variant):

| error | code | class | status | level | retry | message | fields |
|---|---|---|---|---|---|---|---|
| `SlateDBError::TransactionConflict` | `SlateDBError::TransactionConflict` | conflict | aborted | warn |  | `transaction conflict` | `txn_id` |
| `SlateDBError::Closed` | `SlateDBError::Closed` | closed | unavailable | info |  | `database is closed` | `reason` |
| `SlateDBError::ObjectStore` | `SlateDBError::ObjectStore` | function | function | function |  | `object store error` |  |
| `SlateDBError::InvalidConfiguration` | `SlateDBError::InvalidConfiguration` | invalid | invalid_argument | info |  | `invalid configuration` | `setting`, `value` |
| `SlateDBError::ChecksumMismatch` | `SlateDBError::ChecksumMismatch` | data | data_loss | error |  | `checksum mismatch` | `sst`, `expected`, `actual` |
| `SlateDBError::InvariantViolation` | `SlateDBError::InvariantViolation` | internal | internal | error |  | `invariant violated` | `invariant` |
"#;

/// What `cargo run -p examples --example dqlite_hierarchy` prints.
const DQLITE_HIERARCHY: &str = r#"one error of each branch:
  node is not the leader. node_id=`1`, address=`10.0.0.1:9001`, leader_id=`2`, leader_address=`10.0.0.2:9001`
    branch=node class=redirect code=dqlite.not_leader status=UNAVAILABLE retry_after=none
  request timed out. timeout=`5s`, node_id=`3`, address=`10.0.0.3:9001`
    branch=client class=transient code=ClientError::Timeout status=DEADLINE_EXCEEDED retry_after=none
  no leader. node_id=`1`, address=`10.0.0.1:9001`
    branch=cluster class=transient code=dqlite.no_leader status=UNAVAILABLE retry_after=1s
  database not found. name=`app.db`
    branch=resource class=invalid code=ResourceError::DatabaseNotFound status=NOT_FOUND retry_after=none

exec "INSERT INTO kv VALUES ('k', 'v')" on a cluster electing its leader:
  attempt 1: no leader. node_id=`1`, address=`10.0.0.1:9001` (transient, dqlite.no_leader); retrying in 1s
  attempt 2: no leader. node_id=`1`, address=`10.0.0.1:9001` (transient, dqlite.no_leader); retrying in 1s
  attempt 3: ok
rows changed: 1
total waited: 2s
"#;

/// What `cargo run -p examples --example tower_retry` prints.
const TOWER_RETRY: &str = r"stack:   retry (deadline 1s, seed 7) > breaker (opens at 90% failures of 20+ calls in 2s, for 2s) > timeout (200ms)
cluster: nodes 1, 2, 3; 10ms round trips; the leader serves 4 reads at once

1. steady state: node 1 leads
   load:     100 reads to node 1, one every 10ms
   client:   100 ok; slowest call 10ms
   backend:  100 requests (node 1: 100, node 2: 0, node 3: 0)
   retries:  none; budget left: 20 tokens
   give-ups: none
   breaker:  closed throughout

2. leadership moves to node 3; the client still sends to node 1
   load:     100 reads to node 1, one every 10ms
   client:   100 ok; slowest call 20ms
   backend:  200 requests (node 1: 100, node 2: 0, node 3: 100)
   retries:  redirect 100; budget left: 20 tokens
   give-ups: none
   breaker:  closed throughout

3. node 3 goes silent; no leader from 500ms; node 2 leads from 2s
   load:     120 reads to node 1, one every 50ms
   client:   76 ok, 44 failed: transient/raft.no_leader 1, busy/breaker.open 41, busy/raft.busy 1, redirect/raft.not_leader 1; slowest call 994ms
   backend:  195 requests (node 1: 96, node 2: 77, node 3: 22)
   retries:  transient 29, busy 18, redirect 87; budget left: 20 tokens
   give-ups: budget 9, class 1, deadline 28, exhausted 6
   breaker:  open at 610ms, half-open at 2.61s, closed at 2.63s

4a. a burst of 5x the leader's capacity; busy without a hint
   load:     200 reads to node 2, 2 every 1ms
   client:   40 ok, 160 failed: busy/raft.busy 160; slowest call 10ms
   backend:  200 requests (node 1: 0, node 2: 200, node 3: 0)
   retries:  none; budget left: 20 tokens
   give-ups: class 160
   breaker:  closed throughout

4b. the same burst; busy with a hint of when the backlog drains
   load:     200 reads to node 2, 2 every 1ms
   client:   70 ok, 130 failed: busy/raft.busy 130; slowest call 559ms
   backend:  272 requests (node 1: 0, node 2: 272, node 3: 0)
   retries:  busy 72; budget left: 0 tokens
   give-ups: budget 130
   breaker:  closed throughout
";

/// What `cargo run -p examples --example checkout` prints.
const CHECKOUT: &str = r"saga:     reserve (release) > charge (refund) > ship
payment:  RetryLayer::new() over a FaultLayer (off until order 2)

1. every step succeeds
   calls:    inventory.reserve order-1#1/1-reserve, payment.charge order-1#1/2-charge, shipping.ship order-1#1/3-ship
   result:   committed, charged 4200 cents
   state:    reserved order-1#1/1-reserve; charged order-1#1/2-charge; shipped order-1#1/3-ship

2. payment fails transient: the fault layer fails every charge attempt
   calls:    inventory.reserve order-2#1/1-reserve, payment.refund order-2#1/2-charge, inventory.release order-2#1/1-reserve
   result:   transient saga.compensated (compensated; the caller may run it again)
   report:   saga step failed; completed steps compensated. saga=`checkout`, id=`order-2`, attempt=`1`, step=`charge`, compensated=`charge, reserve` (transient, saga.compensated)
             caused by: injected fault. class=`transient` (transient, fault.transient) at error-tower/src/fault/mod.rs:152:46
   payment:  4 attempts failed by the fault layer (fault.transient), 0 reached the service
   state:    reserved order-1#1/1-reserve; charged order-1#1/2-charge; shipped order-1#1/3-ship
   again:    the fault is switched off; the caller runs order-2 again, as attempt 2
   calls:    inventory.reserve order-2#2/1-reserve, payment.charge order-2#2/2-charge, shipping.ship order-2#2/3-ship
   result:   committed, charged 4200 cents
   state:    reserved order-1#1/1-reserve, order-2#2/1-reserve; charged order-1#1/2-charge, order-2#2/2-charge; shipped order-1#1/3-ship, order-2#2/3-ship

3. payment fails fatal
   calls:    inventory.reserve order-3#1/1-reserve, payment.charge order-3#1/2-charge, payment.refund order-3#1/2-charge, inventory.release order-3#1/1-reserve
   result:   internal saga.compensated (compensated; not retried)
   report:   saga step failed; completed steps compensated. saga=`checkout`, id=`order-3`, attempt=`1`, step=`charge`, compensated=`charge, reserve` (internal, saga.compensated)
             caused by: card processor lost its ledger (fatal, payment.ledger) at examples/src/checkout.rs:146:24
   state:    reserved order-1#1/1-reserve, order-2#2/1-reserve; charged order-1#1/2-charge, order-2#2/2-charge; shipped order-1#1/3-ship, order-2#2/3-ship

4. shipping refuses the address, and the refund service is down
   calls:    inventory.reserve order-4#1/1-reserve, payment.charge order-4#1/2-charge, shipping.ship order-4#1/3-ship, payment.refund order-4#1/2-charge, payment.refund order-4#1/2-charge, payment.refund order-4#1/2-charge, inventory.release order-4#1/1-reserve
   result:   data saga.inconsistent (inconsistent; repair the keys below)
   repair:   order-4#1/2-charge (3 attempts, last: payment.refund_down)
   report:   saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-4`, attempt=`1`, step=`ship`, compensated=`reserve`, failed=`charge: refund service unavailable (transient, payment.refund_down) after 3 attempts` (data, saga.inconsistent)
             caused by: no such address (invalid, shipping.address) at examples/src/checkout.rs:175:24
   took:     300ms (the refund's backoff: 100ms, then 200ms)
   state:    reserved order-1#1/1-reserve, order-2#2/1-reserve; charged order-1#1/2-charge, order-2#2/2-charge, order-4#1/2-charge; shipped order-1#1/3-ship, order-2#2/3-ship

5. shipping hangs; the caller gives up after 1s
   caller:   timed out; the saga future is dropped
   calls:    inventory.reserve order-5#1/1-reserve, payment.charge order-5#1/2-charge, shipping.ship order-5#1/3-ship, payment.refund order-5#1/2-charge, inventory.release order-5#1/1-reserve
   state:    reserved order-1#1/1-reserve, order-2#2/1-reserve; charged order-1#1/2-charge, order-2#2/2-charge, order-4#1/2-charge; shipped order-1#1/3-ship, order-2#2/3-ship
";

mod checkout {
    use super::CHECKOUT;

    #[test]
    fn output_is_exact() {
        assert_eq!(examples::checkout::run(), CHECKOUT);
    }
}

mod raft {
    use super::*;

    use error_core::catalog::{consistent_codes, duplicate_codes, markdown, unique_codes};
    use examples::raft::{CATALOGS, run};

    #[test]
    fn output_is_exact() {
        assert_eq!(run(), RAFT_ERRORS);
    }

    /// Issue 13's done-when: the catalog of the raft example's enums renders the exact
    /// expected Markdown.
    #[test]
    fn catalog_markdown_is_exact() {
        assert_eq!(markdown(CATALOGS).to_string(), RAFT_CATALOG);
    }

    /// The three enums share `raft.not_leader` and `raft.no_leader` on purpose: the check
    /// finds each later use, where it is, and that each says what the first says.
    #[test]
    fn shared_codes_are_found_and_agree() {
        let duplicates: Vec<_> = duplicate_codes(CATALOGS)
            .map(|d| {
                (
                    d.code(),
                    d.second().type_name(),
                    d.second().name(),
                    d.first().type_name(),
                    d.first().name(),
                    d.agrees(),
                )
            })
            .collect();
        assert_eq!(
            duplicates,
            [
                (
                    "raft.not_leader",
                    "examples::raft::read::ReadError",
                    "NotLeader",
                    "examples::raft::propose::ProposeError",
                    "NotLeader",
                    true
                ),
                (
                    "raft.no_leader",
                    "examples::raft::read::ReadError",
                    "NoLeader",
                    "examples::raft::propose::ProposeError",
                    "NoLeader",
                    true
                ),
                (
                    "raft.not_leader",
                    "examples::raft::transfer::TransferLeadershipError",
                    "NotLeader",
                    "examples::raft::propose::ProposeError",
                    "NotLeader",
                    true
                ),
            ]
        );
        assert!(!unique_codes(CATALOGS));
        assert!(consistent_codes(CATALOGS));
    }

    /// Every error the example makes is in the catalog, at its own entry.
    #[test]
    fn every_error_has_its_entry() {
        let entries: Vec<_> = CATALOGS
            .iter()
            .flat_map(error_core::Entries::iter)
            .collect();
        let errors = examples::raft::errors();
        assert_eq!(errors.len(), entries.len());
        for (err, entry) in errors.iter().zip(entries) {
            assert_eq!(err.entry(), Some(entry));
            assert_eq!(err.code(), entry.code());
        }
    }
}

mod mayastor {
    use super::*;

    use examples::mayastor::nvmf::NvmfError;
    use examples::mayastor::replica::ReplicaError;
    use examples::mayastor::rpc::RpcError;
    use examples::mayastor::{NvmfTarget, ReplicaService, UUID, nqn, run};

    const TARGET: &str = "10.1.0.4:8420";

    fn node(target: NvmfTarget) -> ReplicaService {
        let mut node = ReplicaService::new(&["pool-1"], target);
        node.create_replica(UUID, "pool-1").unwrap();
        node
    }

    #[test]
    fn output_is_exact() {
        assert_eq!(run(), MAYASTOR_RPC);
    }

    #[test]
    fn create_twice_is_already_exists() {
        let mut node = node(NvmfTarget::new(TARGET));
        let err = node.create_replica(UUID, "pool-1").unwrap_err();
        assert!(matches!(
            &err,
            RpcError::CreateReplica { source: ReplicaError::ReplicaExists, uuid } if uuid == UUID
        ));
        assert_eq!(err.class(), Class::Invalid);
        assert!(!err.is_retriable());
        assert_eq!(err.code(), "RpcError::CreateReplica");
        assert_eq!(err.status(), Status::AlreadyExists);
        assert_eq!(err.status().grpc(), 6);
        assert_eq!(err.status().http(), 409);
        assert_eq!(err.status().grpc_name(), "ALREADY_EXISTS");
        assert_eq!(err.retry_after(), None);
        assert_eq!(err.level(), Level::Info);
        assert_eq!(
            err.to_string(),
            "failed to create replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`"
        );
        assert_eq!(
            Report::new(&err).to_string(),
            "failed to create replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`: \
             replica already exists"
        );
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            "failed to create replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21` \
             (invalid, RpcError::CreateReplica)\n  \
             caused by: replica already exists (invalid, ReplicaError::ReplicaExists)"
        );
        let source = err.classified_source().unwrap();
        assert_eq!(source.code(), "ReplicaError::ReplicaExists");
        assert_eq!(source.status(), Status::AlreadyExists);
    }

    #[test]
    fn create_on_a_missing_pool_is_not_found() {
        let mut node = ReplicaService::new(&["pool-1"], NvmfTarget::new(TARGET));
        let err = node.create_replica("r1", "pool-9").unwrap_err();
        assert!(matches!(
            &err,
            RpcError::CreateReplica { source: ReplicaError::PoolNotFound { pool }, .. } if pool == "pool-9"
        ));
        assert_eq!(err.class(), Class::Invalid);
        assert_eq!(err.status(), Status::NotFound);
        assert_eq!(err.status().grpc(), 5);
        assert_eq!(err.status().http(), 404);
        assert_eq!(
            Report::new(&err).to_string(),
            "failed to create replica. uuid=`r1`: pool not found. pool=`pool-9`"
        );
    }

    #[test]
    fn destroy_then_destroy_again_is_not_found() {
        let mut node = node(NvmfTarget::new(TARGET));
        node.destroy_replica(UUID).unwrap();
        let err = node.destroy_replica(UUID).unwrap_err();
        assert!(matches!(
            &err,
            RpcError::DestroyReplica {
                source: ReplicaError::ReplicaNotFound,
                ..
            }
        ));
        assert_eq!(err.code(), "RpcError::DestroyReplica");
        assert_eq!(err.class(), Class::Invalid);
        assert_eq!(err.status(), Status::NotFound);
        assert_eq!(err.status().http(), 404);
        assert_eq!(
            Report::new(&err).to_string(),
            "failed to destroy replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`: \
             replica not found"
        );
        // Destroyed means gone: it can be created again.
        node.create_replica(UUID, "pool-1").unwrap();
    }

    #[test]
    fn share_succeeds_with_a_uri() {
        let mut node = node(NvmfTarget::new(TARGET));
        assert_eq!(
            node.share_replica(UUID).unwrap(),
            "nvmf://10.1.0.4:8420/nqn.2019-05.io.openebs:dbe4d7eb-118a-4d15-b789-a18d9af6ff21"
        );
    }

    #[test]
    fn share_of_a_missing_replica_is_not_found() {
        let mut node = ReplicaService::new(&["pool-1"], NvmfTarget::new(TARGET));
        let err = node.share_replica("r9").unwrap_err();
        assert!(matches!(
            &err,
            RpcError::ShareReplica {
                source: ReplicaError::ReplicaNotFound,
                ..
            }
        ));
        assert_eq!(err.status(), Status::NotFound);
    }

    #[test]
    fn share_on_a_busy_subsystem_delegates_class_hint_and_status_two_levels() {
        let mut node = node(NvmfTarget::new(TARGET).with_busy_subsystem(&nqn(UUID)));
        let err = node.share_replica(UUID).unwrap_err();
        assert!(matches!(
            &err,
            RpcError::ShareReplica {
                source: ReplicaError::ShareFailed {
                    source: NvmfError::SubsystemBusy {
                        op: "add namespace",
                        ..
                    }
                },
                ..
            }
        ));
        assert_eq!(err.class(), Class::Busy);
        assert!(err.is_retriable());
        assert_eq!(err.code(), "RpcError::ShareReplica");
        assert_eq!(err.retry_after(), Some(Duration::from_millis(250)));
        assert_eq!(err.status(), Status::ResourceExhausted);
        assert_eq!(err.status().grpc(), 8);
        assert_eq!(err.status().http(), 429);
        assert_eq!(err.level(), Level::Warn);
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            "failed to share replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21` \
             (busy, RpcError::ShareReplica)\n  \
             caused by: failed to share replica over nvmf (busy, ReplicaError::ShareFailed)\n  \
             caused by: nvmf subsystem is busy. \
             nqn=`nqn.2019-05.io.openebs:dbe4d7eb-118a-4d15-b789-a18d9af6ff21`, \
             op=`add namespace` (busy, NvmfError::SubsystemBusy)"
        );
    }

    #[test]
    fn share_with_the_port_in_use_reaches_down_to_the_io_error() {
        let mut node = node(NvmfTarget::new(TARGET).with_port_in_use());
        let err = node.share_replica(UUID).unwrap_err();
        // `AddrInUse` is transient: another process may release the port.
        assert_eq!(err.class(), Class::Transient);
        assert_eq!(err.retry_after(), None);
        assert_eq!(err.status(), Status::Unavailable);
        assert_eq!(err.status().grpc(), 14);
        assert_eq!(err.status().http(), 503);
        let io = std::io::Error::from(std::io::ErrorKind::AddrInUse);
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            format!(
                "failed to share replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21` \
                 (transient, RpcError::ShareReplica)\n  \
                 caused by: failed to share replica over nvmf (transient, ReplicaError::ShareFailed)\n  \
                 caused by: failed to add nvmf listener. trid=`tcp:10.1.0.4:8420` \
                 (transient, NvmfError::Listener)\n  \
                 caused by: {io} (transient, std::io::ErrorKind::AddrInUse)"
            )
        );
    }

    #[test]
    fn share_on_a_stopped_target_is_closed() {
        let mut node = node(NvmfTarget::new(TARGET).stopped());
        let err = node.share_replica(UUID).unwrap_err();
        assert_eq!(err.class(), Class::Closed);
        assert_eq!(err.status(), Status::Unavailable);
        assert_eq!(
            Report::new(&err).to_string(),
            "failed to share replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`: \
             failed to share replica over nvmf: nvmf target is not running"
        );
    }

    #[test]
    fn the_boundary_error_keeps_class_code_status_and_hint() {
        let mut node = node(NvmfTarget::new(TARGET).with_busy_subsystem(&nqn(UUID)));
        let public: error_core::Error = node.share_replica(UUID).unwrap_err().into();
        assert_eq!(public.class(), Class::Busy);
        assert_eq!(public.code(), "RpcError::ShareReplica");
        assert_eq!(public.status(), Status::ResourceExhausted);
        assert_eq!(public.retry_after(), Some(Duration::from_millis(250)));
        assert!(public.downcast_ref::<RpcError>().is_some());
        assert_eq!(
            Report::new(&public).to_string(),
            "failed to share replica. uuid=`dbe4d7eb-118a-4d15-b789-a18d9af6ff21`: \
             failed to share replica over nvmf: nvmf subsystem is busy. \
             nqn=`nqn.2019-05.io.openebs:dbe4d7eb-118a-4d15-b789-a18d9af6ff21`, op=`add namespace`"
        );
    }
}

mod slatedb {
    use super::*;

    use examples::slatedb::{
        CloseReason, Db, Decision, Fault, ObjectStoreError, Settings, SlateDBError, decide,
        failures, run,
    };

    #[test]
    fn output_is_exact() {
        assert_eq!(run(), SLATEDB_PUBLIC);
    }

    #[test]
    fn every_failure_has_its_class_code_status_and_decision() {
        let failures = failures().unwrap();
        let seen: Vec<(&str, Class, &str, Status, Decision)> = failures
            .iter()
            .map(|(call, err)| (*call, err.class(), err.code(), err.status(), decide(err)))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "Db::open(l0_sst_size_bytes = 0)",
                    Class::Invalid,
                    "SlateDBError::InvalidConfiguration",
                    Status::InvalidArgument,
                    Decision::FixInput,
                ),
                (
                    "db.put(\"\", \"v\")",
                    Class::Invalid,
                    "slatedb.empty_key",
                    Status::InvalidArgument,
                    Decision::FixInput,
                ),
                (
                    "txn.commit() after a concurrent commit",
                    Class::Conflict,
                    "SlateDBError::TransactionConflict",
                    Status::Aborted,
                    Decision::Retry,
                ),
                (
                    "db.get(\"k1\") with the object store down",
                    Class::Transient,
                    "SlateDBError::ObjectStore",
                    Status::Unavailable,
                    Decision::Retry,
                ),
                (
                    "db.get(\"k2\") of a corrupt block",
                    Class::Data,
                    "SlateDBError::ChecksumMismatch",
                    Status::DataLoss,
                    Decision::Drop,
                ),
                (
                    "db.get(\"k2\") of a deleted SST",
                    Class::Data,
                    "SlateDBError::ObjectStore",
                    Status::DataLoss,
                    Decision::Drop,
                ),
                (
                    "db.flush() after a WAL id regression",
                    Class::Internal,
                    "SlateDBError::InvariantViolation",
                    Status::Internal,
                    Decision::Drop,
                ),
                (
                    "db.put(\"k3\", \"v3\") after db.close()",
                    Class::Closed,
                    "SlateDBError::Closed",
                    Status::Unavailable,
                    Decision::Drop,
                ),
                (
                    "db.put(\"k3\", \"v3\") by a fenced writer",
                    Class::Closed,
                    "SlateDBError::Closed",
                    Status::Unavailable,
                    Decision::Drop,
                ),
                (
                    "db.flush() after the compactor panicked",
                    Class::Closed,
                    "SlateDBError::Closed",
                    Status::Unavailable,
                    Decision::Drop,
                ),
            ]
        );
        assert!(failures.iter().all(|(_, err)| err.retry_after().is_none()));
    }

    #[test]
    fn closed_carries_its_reason() {
        let reasons: Vec<CloseReason> = failures()
            .unwrap()
            .iter()
            .filter_map(|(_, err)| match err.downcast_ref::<SlateDBError>() {
                Some(SlateDBError::Closed { reason }) => Some(*reason),
                _ => None,
            })
            .collect();
        assert_eq!(
            reasons,
            [CloseReason::Clean, CloseReason::Fenced, CloseReason::Panic]
        );
        assert_eq!(CloseReason::Clean.to_string(), "clean");
        assert_eq!(CloseReason::Fenced.to_string(), "fenced");
        assert_eq!(CloseReason::Panic.to_string(), "panic");
    }

    #[test]
    fn a_closed_database_fails_every_call_and_close_again() {
        let mut db = Db::open(Settings::default()).unwrap();
        db.close().unwrap();
        for err in [
            db.put("k", "v").unwrap_err(),
            db.get("k").unwrap_err(),
            db.flush().unwrap_err(),
            db.close().unwrap_err(),
        ] {
            assert_eq!(err.to_string(), "database is closed. reason=`clean`");
            assert_eq!(err.class(), Class::Closed);
            assert_eq!(decide(&err), Decision::Drop);
        }
    }

    #[test]
    fn the_store_error_keeps_its_source_behind_the_boundary() {
        let mut db = Db::open(Settings::default()).unwrap();
        db.inject(Fault::StoreDown);
        let err = db.get("k").unwrap_err();
        assert_eq!(err.to_string(), "object store error");
        assert!(err.is_retriable());
        assert_eq!(err.status().grpc(), 14);
        assert_eq!(err.status().http(), 503);
        assert_eq!(err.level(), Level::Warn);
        assert_eq!(
            Report::new(&err).to_string(),
            "object store error: request to the object store timed out"
        );
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            "object store error (transient, SlateDBError::ObjectStore) at examples/src/slatedb.rs:313:9\n  \
             caused by: request to the object store timed out"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    /// The class of the shared object store error depends on the instance: a deleted SST
    /// is lost data, whose source is the `Arc`'d error itself.
    #[test]
    fn a_missing_object_is_lost_data() {
        let mut db = Db::open(Settings::default()).unwrap();
        db.put("k", "v").unwrap();
        db.inject(Fault::MissingObject { key: "k".into() });
        let err = db.get("k").unwrap_err();
        assert_eq!(err.class(), Class::Data);
        assert_eq!(err.status(), Status::DataLoss);
        assert_eq!(err.level(), Level::Error);
        assert_eq!(decide(&err), Decision::Drop);
        assert_eq!(
            Report::new(&err).to_string(),
            "object store error: object not found at 000001.sst"
        );
        let Some(SlateDBError::ObjectStore(shared)) = err.downcast_ref::<SlateDBError>() else {
            panic!("not the object store variant: {err:?}")
        };
        assert!(matches!(**shared, ObjectStoreError::NotFound { .. }));
    }

    #[test]
    fn the_ad_hoc_error_has_no_typed_error() {
        let mut db = Db::open(Settings::default()).unwrap();
        let err = db.put("", "v").unwrap_err();
        assert_eq!(err.to_string(), "key is empty");
        assert!(err.downcast_ref::<SlateDBError>().is_none());
        assert_eq!(err.status(), Status::InvalidArgument);
        assert_eq!(err.status().http(), 400);
        assert_eq!(err.level(), Level::Info);
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            "key is empty (invalid, slatedb.empty_key) at examples/src/slatedb.rs:302:24"
        );
    }

    #[test]
    fn checksum_mismatch_is_data_loss() {
        let mut db = Db::open(Settings::default()).unwrap();
        db.put("k", "v").unwrap();
        assert_eq!(db.get("k").unwrap().as_deref(), Some("v"));
        db.inject(Fault::CorruptBlock { key: "k".into() });
        let err = db.get("k").unwrap_err();
        assert!(matches!(
            err.downcast_ref::<SlateDBError>(),
            Some(SlateDBError::ChecksumMismatch { sst, .. }) if sst == "000001.sst"
        ));
        assert_eq!(err.status(), Status::DataLoss);
        assert_eq!(err.status().grpc(), 15);
        assert_eq!(err.status().http(), 500);
        assert_eq!(err.level(), Level::Error);
    }

    #[test]
    fn transactions_commit_until_they_conflict() {
        let mut db = Db::open(Settings::default()).unwrap();
        let mut txn = db.begin();
        txn.put("a", "1");
        db.commit(txn).unwrap();
        assert_eq!(db.get("a").unwrap().as_deref(), Some("1"));

        let stale = db.begin();
        db.put("a", "2").unwrap();
        let err = db.commit(stale).unwrap_err();
        assert_eq!(err.to_string(), "transaction conflict. txn_id=`2`");
        assert_eq!(err.status(), Status::Aborted);
        assert_eq!(err.status().http(), 409);
        assert_eq!(decide(&err), Decision::Retry);
    }

    #[test]
    fn flush_advances_until_the_wal_id_regresses() {
        let mut db = Db::open(Settings::default()).unwrap();
        db.flush().unwrap();
        db.flush().unwrap();
        db.inject(Fault::WalIdRegression);
        let err = db.flush().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invariant violated. invariant=`next_wal_id > last_flushed_wal_id`"
        );
        assert_eq!(err.class(), Class::Internal);
    }

    #[test]
    fn decide_reads_the_class_alone() {
        let decisions: Vec<(Class, Decision)> = Class::ALL
            .into_iter()
            .map(|class| (class, decide(&error_core::Error::adhoc(class, "x"))))
            .collect();
        assert_eq!(
            decisions,
            [
                (Class::Transient, Decision::Retry),
                (Class::Busy, Decision::Retry),
                (Class::Redirect, Decision::Retry),
                (Class::Conflict, Decision::Retry),
                (Class::Invalid, Decision::FixInput),
                (Class::Denied, Decision::Drop),
                (Class::Closed, Decision::Drop),
                (Class::Data, Decision::Drop),
                (Class::Fatal, Decision::Drop),
                (Class::Internal, Decision::Drop),
            ]
        );
        assert_eq!(Decision::FixInput.to_string(), "fix the input");
    }
}

mod dqlite {
    use super::*;

    use examples::dqlite::client::ClientError;
    use examples::dqlite::cluster::ClusterError;
    use examples::dqlite::node::NodeError;
    use examples::dqlite::resource::ResourceError;
    use examples::dqlite::{
        DEFAULT_BACKOFF, DqliteError, SQL, SimClock, SimCluster, hierarchy, retry, run,
    };

    fn no_leader() -> DqliteError {
        ClusterError::NoLeader {
            node_id: 1,
            address: "10.0.0.1:9001".into(),
        }
        .into()
    }

    #[test]
    fn output_is_exact() {
        assert_eq!(run(), DQLITE_HIERARCHY);
    }

    #[test]
    fn the_top_level_error_is_the_leaf_transparently() {
        let seen: Vec<(Class, &str, Status, Option<Duration>)> = hierarchy()
            .iter()
            .map(|err| (err.class(), err.code(), err.status(), err.retry_after()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    Class::Redirect,
                    "dqlite.not_leader",
                    Status::Unavailable,
                    None
                ),
                (
                    Class::Transient,
                    "ClientError::Timeout",
                    Status::DeadlineExceeded,
                    None
                ),
                (
                    Class::Transient,
                    "dqlite.no_leader",
                    Status::Unavailable,
                    Some(Duration::from_secs(1))
                ),
                (
                    Class::Invalid,
                    "ResourceError::DatabaseNotFound",
                    Status::NotFound,
                    None
                ),
            ]
        );
        let err = no_leader();
        assert!(matches!(
            err,
            DqliteError::Cluster(ClusterError::NoLeader { node_id: 1, .. })
        ));
        assert_eq!(
            err.to_string(),
            "no leader. node_id=`1`, address=`10.0.0.1:9001`"
        );
        // Transparent: the wrapper is not a link of its own.
        assert!(std::error::Error::source(&err).is_none());
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            "no leader. node_id=`1`, address=`10.0.0.1:9001` (transient, dqlite.no_leader)"
        );
        let mut fields = Vec::new();
        err.visit_fields(&mut |key: &'static str, value: error_core::Value<'_>| {
            fields.push(format!("{key}={value}"));
        });
        assert_eq!(fields, ["node_id=1", "address=10.0.0.1:9001"]);
    }

    #[test]
    fn every_branch_converts_with_from() {
        let errors: [DqliteError; 4] = [
            NodeError::Removed {
                node_id: 3,
                address: "10.0.0.3:9001".into(),
            }
            .into(),
            ClientError::Closed.into(),
            ClusterError::NoQuorum {
                online: 1,
                voters: 3,
            }
            .into(),
            ResourceError::TooManyConnections {
                node_id: 2,
                address: "10.0.0.2:9001".into(),
                max: 64,
            }
            .into(),
        ];
        let seen: Vec<(String, Class, &str)> = errors
            .iter()
            .map(|err| (err.to_string(), err.class(), err.code()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "node was removed from the cluster. node_id=`3`, address=`10.0.0.3:9001`"
                        .to_owned(),
                    Class::Closed,
                    "NodeError::Removed"
                ),
                (
                    "client is closed".to_owned(),
                    Class::Closed,
                    "ClientError::Closed"
                ),
                (
                    "cluster has no quorum. online=`1`, voters=`3`".to_owned(),
                    Class::Transient,
                    "ClusterError::NoQuorum"
                ),
                (
                    "too many connections. node_id=`2`, address=`10.0.0.2:9001`, max=`64`"
                        .to_owned(),
                    Class::Busy,
                    "ResourceError::TooManyConnections"
                ),
            ]
        );
        assert!(matches!(
            errors[1],
            DqliteError::Client(ClientError::Closed)
        ));
    }

    #[test]
    fn the_boundary_error_keeps_the_hint() {
        let public = error_core::Error::from(no_leader());
        assert_eq!(public.class(), Class::Transient);
        assert_eq!(public.code(), "dqlite.no_leader");
        assert_eq!(public.retry_after(), Some(Duration::from_secs(1)));
        assert!(public.downcast_ref::<DqliteError>().is_some());
    }

    #[test]
    fn retry_honours_the_hint_twice_then_succeeds() {
        let mut cluster = SimCluster::new(2);
        let mut clock = SimClock::default();
        let mut log = Vec::new();
        let rows = retry(&mut clock, 5, &mut log, || cluster.exec(SQL)).unwrap();
        assert_eq!(rows, 1);
        assert_eq!(clock.waited(), Duration::from_secs(2));
        assert_eq!(
            log,
            [
                "attempt 1: no leader. node_id=`1`, address=`10.0.0.1:9001` (transient, dqlite.no_leader); retrying in 1s",
                "attempt 2: no leader. node_id=`1`, address=`10.0.0.1:9001` (transient, dqlite.no_leader); retrying in 1s",
                "attempt 3: ok",
            ]
        );
    }

    #[test]
    fn retry_gives_up_after_max_attempts_without_a_last_wait() {
        let mut cluster = SimCluster::new(10);
        let mut clock = SimClock::default();
        let mut log = Vec::new();
        let err = retry(&mut clock, 3, &mut log, || cluster.exec(SQL)).unwrap_err();
        assert!(matches!(
            err,
            DqliteError::Cluster(ClusterError::NoLeader { .. })
        ));
        assert_eq!(clock.waited(), Duration::from_secs(2));
        assert_eq!(log.len(), 3);
        assert_eq!(
            log[2],
            "attempt 3: no leader. node_id=`1`, address=`10.0.0.1:9001` (transient, dqlite.no_leader); giving up"
        );
    }

    #[test]
    fn retry_stops_at_once_on_an_error_that_is_not_retriable() {
        let mut clock = SimClock::default();
        let mut log = Vec::new();
        let mut calls = 0;
        let err = retry(&mut clock, 5, &mut log, || -> Result<(), DqliteError> {
            calls += 1;
            Err(ResourceError::DatabaseNotFound {
                name: "app.db".into(),
            })?
        })
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(!err.is_retriable());
        assert_eq!(clock.waited(), Duration::ZERO);
        assert_eq!(
            log,
            [
                "attempt 1: database not found. name=`app.db` (invalid, ResourceError::DatabaseNotFound); giving up"
            ]
        );
    }

    #[test]
    fn retry_uses_each_errors_own_hint_or_the_default_backoff() {
        let mut errors = vec![
            ClusterError::MembershipChange {
                node_id: 4,
                address: "10.0.0.4:9001".into(),
            }
            .into(),
            ClusterError::NoQuorum {
                online: 1,
                voters: 3,
            }
            .into(),
            NodeError::NotLeader {
                node_id: 1,
                address: "10.0.0.1:9001".into(),
                leader_id: 2,
                leader_address: "10.0.0.2:9001".into(),
            }
            .into(),
            no_leader(),
        ]
        .into_iter();
        let mut clock = SimClock::default();
        let mut log = Vec::new();
        retry(&mut clock, 10, &mut log, || match errors.next() {
            Some(err) => Err(err),
            None => Ok(()),
        })
        .unwrap();
        assert_eq!(log.len(), 5);
        // busy 500ms, no hint (default), redirect with no hint (default), no leader 1s.
        assert_eq!(
            clock.waited(),
            Duration::from_millis(500) + DEFAULT_BACKOFF + DEFAULT_BACKOFF + Duration::from_secs(1)
        );
    }
}

mod tower_retry {
    use super::*;

    use error_core::Error;
    use error_tower::breaker::State;
    use error_tower::timeout::error::Elapsed;
    use examples::tower_retry::{
        CALL_DEADLINE, ClientError, NodeError, PhaseReport, RTT, Req, redirect, run, simulate,
    };

    fn phases() -> Vec<PhaseReport> {
        let phases = simulate().unwrap();
        assert_eq!(phases.len(), 5);
        phases
    }

    /// Every call either succeeded or failed, and every failure was given up once.
    fn consistent(phase: &PhaseReport) {
        assert_eq!(phase.ok + phase.failures(), phase.calls, "{}", phase.title);
        assert_eq!(
            phase.give_ups.values().sum::<u64>(),
            phase.failures(),
            "{}",
            phase.title
        );
        assert!(phase.slowest <= CALL_DEADLINE, "{}", phase.title);
    }

    #[test]
    fn output_is_exact() {
        assert_eq!(run(), TOWER_RETRY);
    }

    #[test]
    fn every_run_is_the_same() {
        assert_eq!(simulate(), simulate());
    }

    #[test]
    fn steady_state_sends_each_read_once() {
        let steady = &phases()[0];
        consistent(steady);
        assert_eq!((steady.calls, steady.ok), (100, 100));
        assert_eq!(steady.received, [100, 0, 0]);
        assert!(steady.retries.is_empty());
        assert_eq!(steady.slowest, RTT);
    }

    #[test]
    fn a_moved_leader_costs_one_redirect_per_call_and_no_budget() {
        let phases = phases();
        let moved = &phases[1];
        consistent(moved);
        assert_eq!(moved.ok, moved.calls);
        assert_eq!(moved.backend_calls(), 2 * moved.calls);
        assert_eq!(moved.received, [moved.calls, 0, moved.calls]);
        assert_eq!(moved.retries_of(Class::Redirect), moved.calls);
        assert_eq!(moved.retries.len(), 1);
        assert_eq!(moved.budget_left, phases[0].budget_left);
        // Redirected at once: two round trips.
        assert_eq!(moved.slowest, 2 * RTT);
    }

    #[test]
    fn a_dead_leader_times_out_opens_the_breaker_and_recovers_on_node_2() {
        let dead = &phases()[2];
        consistent(dead);
        // The silent leader's attempts time out and are retried: no read ends on a timeout
        // (a redirect is a hop, not one of a read's tries, so each has tries left for them).
        assert!(dead.received[2] > 0);
        assert_eq!(dead.failed_with("timeout"), 0);
        assert!(dead.retries_of(Class::Transient) > 0);
        assert!(dead.given_up("budget") > 0);
        assert!(dead.failed_with("breaker.open") > 0);
        let states: Vec<State> = dead.breaker.iter().map(|(_, state)| *state).collect();
        assert_eq!(states, [State::Open, State::HalfOpen, State::Closed]);
        assert_eq!(dead.breaker_at_end, Some(State::Closed));
        // The breaker closes after node 2 is elected, and every success is node 2's: node 2
        // served every read it received but one, which arrived while it served 4 others
        // (the reads the open breaker had refused come back in a window after its hint).
        assert!(dead.breaker[2].0 > examples::tower_retry::ELECTED_AT);
        assert!(dead.ok > 0);
        assert_eq!(dead.failed_with("raft.busy"), 1);
        assert_eq!(dead.received[1], dead.ok + 1);
    }

    #[test]
    fn busy_without_a_hint_is_never_retried() {
        let burst = &phases()[3];
        consistent(burst);
        assert_eq!(burst.backend_calls(), burst.calls);
        assert_eq!(burst.received[1], burst.calls);
        assert!(burst.retries.is_empty());
        assert!(burst.ok > 0);
        assert_eq!(burst.failed_with("raft.busy"), burst.failures());
        assert_eq!(burst.given_up("class"), burst.failures());
        assert_eq!(burst.breaker, []);
        assert_eq!(burst.slowest, RTT);
    }

    #[test]
    fn busy_with_a_hint_is_retried_after_it_within_the_budget() {
        let phases = phases();
        let (plain, hinted) = (&phases[3], &phases[4]);
        consistent(hinted);
        let retries = hinted.retries_of(Class::Busy);
        assert!(retries > 0);
        assert_eq!(hinted.retries.len(), 1);
        assert_eq!(hinted.backend_calls(), hinted.calls + retries);
        assert!(hinted.ok > plain.ok);
        // A retry after a hint is charged as it is sent and never paid back: the budget
        // bounds the retries (its 20 tokens, half a token per success and the minimum
        // rate pay for 72), and the reads it cannot pay for end with a budget give-up.
        assert_eq!((hinted.ok, retries), (70, 72));
        assert_eq!(hinted.given_up("budget"), hinted.failures());
        assert_eq!(hinted.given_up("exhausted"), 0);
        assert!(hinted.slowest > RTT);
        assert_eq!(hinted.breaker, []);
    }

    #[test]
    fn node_errors_are_classified() {
        let not_leader = NodeError::NotLeader { leader_hint: 3 };
        assert_eq!(not_leader.to_string(), "not the leader. leader_hint=`3`");
        assert_eq!(
            (not_leader.class(), not_leader.code()),
            (Class::Redirect, "raft.not_leader")
        );
        let election = NodeError::NoLeader;
        assert_eq!(election.to_string(), "no leader");
        assert_eq!(
            (election.class(), election.code()),
            (Class::Transient, "raft.no_leader")
        );
        let busy = NodeError::Busy { retry_after: None };
        assert_eq!((busy.class(), busy.code()), (Class::Busy, "raft.busy"));
        assert_eq!(busy.retry_after(), None);
        let hinted = NodeError::Busy {
            retry_after: Some(Duration::from_millis(5)),
        };
        assert_eq!(hinted.retry_after(), Some(Duration::from_millis(5)));
        assert_eq!(
            hinted.to_string(),
            "leader is overloaded. retry_after=`5ms`"
        );
        assert_eq!(busy.to_string(), "leader is overloaded. retry_after=`none`");
        // Transparent: the stack's error is the node's.
        let client = ClientError::from(hinted);
        assert_eq!(client.class(), Class::Busy);
        assert_eq!(client.retry_after(), Some(Duration::from_millis(5)));
    }

    #[test]
    fn middleware_errors_keep_their_class_through_the_stack_error() {
        let timeout = ClientError::from(Error::from(Elapsed::new(Duration::from_millis(200))));
        assert!(matches!(timeout, ClientError::Middleware(_)));
        assert_eq!(timeout.to_string(), "request timed out. timeout=`200ms`");
        assert_eq!(
            (timeout.class(), timeout.code()),
            (Class::Transient, "timeout")
        );
        assert_eq!(timeout.status(), Status::DeadlineExceeded);
    }

    #[test]
    fn the_redirect_hook_retargets_only_not_leader() {
        let mut req = Req {
            key: "k".into(),
            node: 1,
        };
        assert!(redirect(
            &mut req,
            &NodeError::NotLeader { leader_hint: 3 }.into()
        ));
        assert_eq!(req.node, 3);
        assert!(!redirect(&mut req, &NodeError::NoLeader.into()));
        assert!(!redirect(
            &mut req,
            &Error::from(Elapsed::new(Duration::from_millis(200))).into()
        ));
        assert_eq!(req.node, 3);
    }
}
