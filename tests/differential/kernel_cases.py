"""Differential cases for kernel arguments: every pairing of a value form
with a type form packed into a kernel node's kernelParams (observe.packed
reads back the bytes each becomes), and every form of kernelParams itself
given to the node's field and to cuLaunchKernel (the stub driver: a packed
call fails only on the missing function)."""

# The types: ctypes' simple ones, those NVIDIA's refuses, and None.
TYPES = ["ctypes.c_bool", "ctypes.c_char", "ctypes.c_wchar", "ctypes.c_byte", "ctypes.c_ubyte",
         "ctypes.c_short", "ctypes.c_ushort", "ctypes.c_int", "ctypes.c_uint", "ctypes.c_long",
         "ctypes.c_ulong", "ctypes.c_longlong", "ctypes.c_ulonglong", "ctypes.c_size_t",
         "ctypes.c_ssize_t", "ctypes.c_float", "ctypes.c_double", "ctypes.c_void_p",
         "ctypes.c_longdouble", "ctypes.c_char_p", "ctypes.c_wchar_p", "Traced", "ctypes.c_int * 2",
         "ctypes.POINTER(ctypes.c_int)", "Pair", "None", "int", "'c_int'", "[]"]

# The values: ints at every width's edges, other Python objects, ctypes
# instances, the bindings' own objects, a user's objects.
VALUES = ["0", "1", "-1", "127", "128", "255", "256", "-129", "65535", "65536", "2**31", "2**32-1",
          "2**32", "-2**31-1", "2**63", "2**64-1", "2**64", "-2**63-1", "2**70+3", "True",
          "1.5", "1e300", "float('nan')", "'x'", "''", "'xy'", "b'a'", "b'ab'", "bytearray(b'a')",
          "None", "Index()", "IntLike()", "object()", "[1]",
          "ctypes.c_int(3)", "ctypes.c_void_p(5)", "ctypes.c_void_p(None)", "ctypes.c_double(2.5)",
          "ctypes.c_char(b'z')", "Traced(4)", "Pair(1, 2)", "WithGetPtr()",
          "driver.CUdeviceptr(5)", "driver.CUstream(5)", "driver.CUresult(5)", "driver.cuuint64_t(5)",
          "driver.CUDA_MEMCPY2D()", "runtime.cudaError_t(2)"]

# kernelParams itself.
PARAMS = ["None", "0", "5", "2**64-1", "2**64", "-1", "True", "1.5", "'x'", "object()", "Index()",
          "(ctypes.c_void_p * 2)()", "b'12345678'", "bytearray(8)", "memoryview(b'12345678')",
          "memoryview(b'12345678')[::2]",
          "((1,), (ctypes.c_int,))", "[(1,), (ctypes.c_int,)]", "((1,), [ctypes.c_int])",
          "([1], (ctypes.c_int,))", "((1, 2), (ctypes.c_int,))", "((1,), (ctypes.c_int, None))",
          "((), ())", "((1,),)", "((1,), (ctypes.c_int,), ())", "TupleSub(((1,), (ctypes.c_int,)))",
          "(TupleSub((1,)), TupleSub((ctypes.c_int,)))", "iter(((1,), (ctypes.c_int,)))",
          "((1, 2.5, None), (ctypes.c_int, ctypes.c_float, ctypes.c_void_p))",
          "((driver.CUdeviceptr(7), 3), (None, ctypes.c_int))"]

LAUNCH = "driver.cuLaunchKernel(driver.CUfunction(), 1, 1, 1, 1, 1, 1, 0, None, %s, 0)"


def kernel_argument_cases():
    cases = [{"id": "kernel argument %s as %s" % (v, t), "code": "packed(%s, %s)" % (v, t)}
             for t in TYPES for v in VALUES]
    for form in PARAMS:
        cases.append({"id": "kernelParams field = %s" % form, "code": (
            "p = driver.CUDA_KERNEL_NODE_PARAMS()\n"
            "form = %s\n"
            "p.kernelParams = form\n"
            "(type(p.kernelParams).__name__, p.kernelParams != 0,\n"
            " p.kernelParams == form if type(form) is int else None)" % form)})
        cases.append({"id": "kernelParams runtime field = %s" % form, "code": (
            "p = runtime.cudaKernelNodeParams()\n"
            "p.kernelParams = %s\n"
            "(type(p.kernelParams).__name__, p.kernelParams != 0)" % form)})
        cases.append({"id": "kernelParams cuLaunchKernel %s" % form, "code": LAUNCH % form})
    return cases
