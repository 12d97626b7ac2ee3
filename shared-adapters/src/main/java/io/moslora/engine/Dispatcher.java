package io.moslora.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls any aten operator by name through libtorch's stable C shim ({@code aoti_torch_call_dispatcher}),
 * for the operators DJL does not expose (fused attention, group norm, bf16 casts).
 *
 * <p>Protocol (DESIGN.md §3): one 8-byte slot per schema argument, in schema order. Tensors are owned
 * handles made by {@code aoti_torch_new_tensor_handle} (they alias the DJL array, autograd included; the
 * dispatcher frees them). Ints and bools are int64, floats their IEEE bits, a missing optional is 0 and a
 * present optional is a pointer to a heap slot that libtorch frees with C++ {@code delete}, so it is
 * allocated with C++ {@code operator new}. Outputs come back from slot 0 as owned tensor handles.
 *
 * <p>Use: {@code Dispatcher.op("aten::group_norm", "").tensor(x).i64(2)...call(manager, 1)}.
 */
public final class Dispatcher {
    /** torch ScalarType codes used by the facade. */
    public static final int SCALAR_SHORT = 2;
    public static final int SCALAR_INT = 3;
    public static final int SCALAR_HALF = 5;
    public static final int SCALAR_FLOAT = 6;
    public static final int SCALAR_BFLOAT16 = 15;

    private static volatile Natives natives;

    private final String name;
    private final String overload;
    private final List<Slot> slots = new ArrayList<>();

    private Dispatcher(String name, String overload) {
        this.name = name;
        this.overload = overload;
    }

    /** Starts a call of {@code name.overload} (overload "" is the default one). */
    public static Dispatcher op(String name, String overload) {
        return new Dispatcher(name, overload);
    }

    public Dispatcher tensor(NDArray array) {
        slots.add(new Slot(Kind.TENSOR, 0, pt(array)));
        return this;
    }

    /** An optional tensor argument ({@code Tensor?}); null passes None. */
    public Dispatcher optTensor(NDArray array) {
        slots.add(array == null ? Slot.NONE : new Slot(Kind.OPT_TENSOR, 0, pt(array)));
        return this;
    }

    public Dispatcher i64(long value) {
        slots.add(new Slot(Kind.VALUE, value, null));
        return this;
    }

    public Dispatcher bool(boolean value) {
        return i64(value ? 1 : 0);
    }

    public Dispatcher f64(double value) {
        return i64(Double.doubleToRawLongBits(value));
    }

    /** An optional float argument ({@code float?}); null passes None. */
    public Dispatcher optF64(Double value) {
        slots.add(value == null ? Slot.NONE
                : new Slot(Kind.OPT_VALUE, Double.doubleToRawLongBits(value), null));
        return this;
    }

    /** A {@code ScalarType} argument (its code, e.g. {@link #SCALAR_BFLOAT16}). */
    public Dispatcher scalarType(int code) {
        return i64(code);
    }

    /** A None for an optional argument of any type. */
    public Dispatcher none() {
        slots.add(Slot.NONE);
        return this;
    }

    /**
     * Runs the operator; wraps its first {@code outputs} returns (all tensors) as arrays of
     * {@code manager}, bf16 ones as {@link Bf16NDArray}. The schema's argument count must equal the
     * slots given.
     */
    public PtNDArray[] call(NDManager manager, int outputs) {
        Memory stack = run(outputs);
        Natives n = natives();
        PtNDManager target = (PtNDManager) manager;
        PtNDArray[] result = new PtNDArray[outputs];
        for (int i = 0; i < outputs; i++) {
            long handle = stack.getLong(8L * i);
            result[i] = n.dtype(handle) == SCALAR_BFLOAT16
                    ? new Bf16NDArray(target, handle) : new PtNDArray(target, handle);
        }
        return result;
    }

    private Memory run(int outputs) {
        Natives n = natives();
        int size = Math.max(slots.size(), outputs);
        Memory stack = new Memory(8L * Math.max(size, 1));
        stack.clear();
        for (int i = 0; i < slots.size(); i++) {
            stack.setLong(8L * i, slots.get(i).encode(n));
        }
        int rc = (Integer) n.callDispatcher.invoke(Integer.class, new Object[] {name, overload, stack});
        if (rc != 0) {
            throw new EngineException(name + (overload.isEmpty() ? "" : "." + overload)
                    + " failed in libtorch (its message is on stderr); check shapes and dtypes");
        }
        return stack;
    }

    /** Convenience for single-output operators. */
    public PtNDArray call(NDManager manager) {
        return call(manager, 1)[0];
    }

    /** The torch ScalarType code of an array, read from libtorch (DJL reports bf16 as "unknown"). */
    public static int scalarTypeOf(NDArray array) {
        return natives().dtype(pt(array).getHandle());
    }

    private static PtNDArray pt(NDArray array) {
        if (!(array instanceof PtNDArray)) {
            throw new EngineException("the dispatcher needs PyTorch-engine arrays, got " + array.getClass());
        }
        return (PtNDArray) array;
    }

    private enum Kind { NONE, VALUE, OPT_VALUE, TENSOR, OPT_TENSOR }

    private record Slot(Kind kind, long bits, PtNDArray array) {
        static final Slot NONE = new Slot(Kind.NONE, 0, null);

        long encode(Natives n) {
            switch (kind) {
                case NONE: return 0L;
                case VALUE: return bits;
                case TENSOR: return n.newHandle(array);
                case OPT_VALUE: return n.boxed(bits);
                case OPT_TENSOR: return n.boxed(n.newHandle(array));
                default: throw new AssertionError(kind);
            }
        }
    }

    private static Natives natives() {
        Natives n = natives;
        if (n == null) {
            synchronized (Dispatcher.class) {
                if (natives == null) {
                    natives = new Natives();
                }
                n = natives;
            }
        }
        return n;
    }

    /** The libtorch entry points, looked up once in the libtorch_cpu.so that DJL itself loaded. */
    private static final class Natives {
        final Function callDispatcher;
        final Function newTensorHandle;
        final Function cppNew;
        final Function getDtype;

        Natives() {
            Engine.getEngine("PyTorch"); // makes DJL extract and load its libtorch
            Path lib = Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
            if (!Files.isRegularFile(lib)) {
                throw new EngineException("libtorch_cpu.so not found next to DJL's libtorch in "
                        + lib.getParent() + "; set PYTORCH_LIBRARY_PATH to a full libtorch");
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
            callDispatcher = torch.getFunction("aoti_torch_call_dispatcher");
            newTensorHandle = torch.getFunction("aoti_torch_new_tensor_handle");
            // C++ operator new(size_t): libtorch releases boxed optionals with delete.
            cppNew = torch.getFunction("_Znwm");
            getDtype = torch.getFunction("aoti_torch_get_dtype");
        }

        long newHandle(PtNDArray array) {
            Memory out = new Memory(8);
            int rc = (Integer) newTensorHandle.invoke(Integer.class,
                    new Object[] {new Pointer(array.getHandle()), out});
            if (rc != 0) {
                throw new EngineException("aoti_torch_new_tensor_handle failed");
            }
            return out.getLong(0);
        }

        int dtype(long handle) {
            Memory out = new Memory(4);
            int rc = (Integer) getDtype.invoke(Integer.class, new Object[] {new Pointer(handle), out});
            if (rc != 0) {
                throw new EngineException("aoti_torch_get_dtype failed");
            }
            return out.getInt(0);
        }

        long boxed(long bits) {
            Pointer p = (Pointer) cppNew.invoke(Pointer.class, new Object[] {8L});
            p.setLong(0, bits);
            return Pointer.nativeValue(p);
        }
    }
}
