"""FastEnum: the int enums of the bindings' modules (``driver.CUresult``,
``nvjitlink.Result``, ...), under the name NVIDIA's package gives them;
cuda-core subclasses it for enums of its own.

A member is an ``int`` of its class, one object per value: it prints as
``<CUresult.CUDA_ERROR_INVALID_VALUE: 1>`` (``str``, ``repr`` and ``format``
with no spec alike; a spec formats the number), and carries ``name``,
``value`` and its own ``__doc__`` (``None`` where the header has none).  The
class is called with a value to look its member up (``ValueError`` where it
has none), iterates over its members (one per value, in definition order),
and ``__members__`` maps every name, aliases too, to its member.  Stdlib
only and no ``enum`` import: importing it costs next to nothing.

A class statement makes members of its ``int`` attributes (``A = 1``) and
of ``(int, str)`` pairs (``A = 1, "the doc of A"``); other attributes,
methods and names starting with ``_`` stay as they are."""

__all__ = ["FastEnum", "FastEnumMetaclass"]


def _member_value(value):
    """(int, doc) where an attribute of a class statement makes a member."""
    if isinstance(value, int):
        return int(value), None
    if (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int)
            and (value[1] is None or isinstance(value[1], str))):
        return int(value[0]), value[1]
    return None


class FastEnumMetaclass(type):
    """The class of every FastEnum: makes the members of a class statement."""

    def __new__(mcls, name, bases, namespace, **kwargs):
        found = []
        plain = {}
        for key, value in namespace.items():
            member = None if key.startswith("_") else _member_value(value)
            if member is None:
                plain[key] = value
            else:
                found.append((key,) + member)
        cls = super().__new__(mcls, name, bases, plain, **kwargs)
        by_value = {}
        by_name = {}
        for key, value, doc in found:
            member = by_value.get(value)
            if member is None:  # the first name of a value is its member's; later ones alias it
                member = int.__new__(cls, value)
                member._name = key
                member.__doc__ = doc
                by_value[value] = member
            by_name[key] = member
            type.__setattr__(cls, key, member)
        type.__setattr__(cls, "__singletons__", by_value)
        type.__setattr__(cls, "__members__", by_name)
        return cls

    def __iter__(cls):
        return iter(cls.__singletons__.values())

    def __len__(cls):
        return len(cls.__singletons__)

    def __contains__(cls, value):
        return value in cls.__singletons__   # an unhashable value raises TypeError, as NVIDIA's

    def __bool__(cls):
        return True

    def __repr__(cls):
        return "<enum %r>" % cls.__name__


class FastEnum(int, metaclass=FastEnumMetaclass):
    # no docstring: NVIDIA's FastEnum.__doc__ is None (the module's says what it is)

    def __new__(cls, value):
        try:
            return cls.__singletons__[value]
        except KeyError:  # an unhashable value raises TypeError, as NVIDIA's
            raise ValueError("%s is not a valid %s" % (value, cls.__name__)) from None

    @property
    def name(self):
        """The member's name (its first, where it has aliases)."""
        return self._name

    @property
    def value(self):
        """The member's value, a plain int."""
        return int(self)

    def __repr__(self):
        return "<%s.%s: %d>" % (type(self).__name__, self._name, self)

    __str__ = __repr__

    def __format__(self, spec):
        return str(self) if not spec else format(int(self), spec)
