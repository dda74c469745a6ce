"""``_inspect_function_pointer("__<function>")``: its address in the loaded library, 0 when absent."""
from cuda.bindings.cynvml import _inspect_function_pointer, _inspect_function_pointers

__all__ = ["_inspect_function_pointer", "_inspect_function_pointers"]
