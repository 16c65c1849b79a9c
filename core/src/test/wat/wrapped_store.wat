;; Stores whose base + offset lies past 2^32 or whose base is 2^31 or more: every one must trap
;; (out of bounds), in both execution modes, and write nothing. "low" reads back the first bytes.
(module
  (memory 1)
  (func (export "store8") (param $base i32) (i32.store8 offset=5 (local.get $base) (i32.const 0x5a)))
  (func (export "store8_64") (param $base i32) (i64.store8 offset=5 (local.get $base) (i64.const 0x5a)))
  (func (export "store32_64") (param $base i32) (i64.store32 offset=5 (local.get $base) (i64.const 0x5a5a5a5a)))
  (func (export "store32_64_far") (param $base i32) (i64.store32 offset=0x80000002 (local.get $base) (i64.const 0x5a5a5a5a)))
  (func (export "store16") (param $base i32) (i32.store16 offset=5 (local.get $base) (i32.const 0x5a5a)))
  (func (export "low") (result i64) (i64.load (i32.const 0)))
  (func (export "at") (param $a i32) (result i32) (i32.load8_u (local.get $a))))
