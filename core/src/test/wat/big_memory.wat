;; Asks for 64 pages (4 MiB) up front.
(module (memory 64) (func (export "f")))
