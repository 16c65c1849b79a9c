;; No globals and no exports: the instrumenter must create both sections in the right place
;; (before the code and data sections that follow them).
(module
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (func $f (type $t) (memory.grow (local.get 0)))
  (func $g (loop $l (br_if $l (i32.eqz (call $f (i32.const 0))))))
  (start $g)
  (data (i32.const 0) "bare")
)
