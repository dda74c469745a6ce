"""Whether the installed libNVVM accepts a set of compiler options."""

# An empty kernel: a program NVVM compiles whatever its release, so a
# failure to compile it can only come from the options.
_EMPTY_KERNEL = """target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-i128:128:128-f32:32:32-f64:64:64-v16:16:16-v32:32:32-v64:64:64-v128:128:128-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

define void @empty() {
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void ()* @empty, !"kernel", i32 1}
!nvvmir.version = !{!1}
!1 = !{i32 %d, i32 %d, i32 %d, i32 %d}
"""


def check_nvvm_compiler_options(options) -> bool:
    """True when libNVVM compiles an empty kernel with ``options`` (a sequence
    of ``str`` or ``bytes``, e.g. ``["-arch=compute_100"]``), False when it
    refuses them.

    Raises ``TypeError`` for options that are not such a sequence, and
    ``RuntimeError`` when libNVVM cannot be loaded.
    """
    if isinstance(options, (str, bytes)) or not all(isinstance(o, (str, bytes)) for o in options):
        raise TypeError("check_nvvm_compiler_options() takes a sequence of str or bytes options, not %r"
                        % (options,))
    from cuda.bindings import nvvm

    options = list(options)
    ir = (_EMPTY_KERNEL % nvvm.ir_version()).encode()
    prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, ir, len(ir), "check_nvvm_compiler_options")
        try:
            nvvm.compile_program(prog, len(options), options)
        except nvvm.nvvmError:
            return False
        return True
    finally:
        nvvm.destroy_program(prog)
