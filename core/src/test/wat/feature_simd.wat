;; SIMD: Chicory 1.7.5's runtime cannot run v128 instructions, so Corral refuses the module at load.
(module
  (func (export "run") (result i32) (i32x4.extract_lane 0 (i32x4.splat (i32.const 7)))))
