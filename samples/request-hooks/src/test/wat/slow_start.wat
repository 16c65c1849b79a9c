;; A reactor whose start-up costs far more than a request: _initialize spins $n iterations (a
;; language runtime's set-up: Go's needs 1-3 million fuel units), then every request is cheap.
;; The start-up must get its own budget (startFuel, startTimeout), not the per-callback one.
(module
  (memory (export "memory") 1)
  (global $spun (mut i32) (i32.const 0))
  (func (export "_initialize")
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 300000))))
    (global.set $spun (local.get $i)))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    ;; 0 = Continue, only once start-up ran to the end
    (if (result i32) (i32.eq (global.get $spun) (i32.const 300000)) (then (i32.const 0)) (else (unreachable)))))
