package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Named tensors to load a module from (a safetensors file, a shard set, an in-memory map). */
public interface TensorSource {
    /** Tensor names in a stable order. */
    List<String> names();

    Shape shape(String name);

    /** Reads one tensor into {@code manager} as {@code dtype} (bf16 in a file is widened, never handed to DJL). */
    NDArray read(String name, NDManager manager, DataType dtype);

    /** Where the tensors come from, for error messages. */
    String describe();

    /** A safetensors file or shard set; bf16 is widened on read by the reader itself. */
    static TensorSource of(io.moslora.io.TensorReader reader) {
        return new TensorSource() {
            @Override
            public List<String> names() {
                return reader.names();
            }

            @Override
            public Shape shape(String name) {
                return new Shape(reader.info(name).shape());
            }

            @Override
            public NDArray read(String name, NDManager manager, DataType dtype) {
                return reader.toNDArray(manager, name, dtype);
            }

            @Override
            public String describe() {
                return reader.path().toString();
            }
        };
    }

    static TensorSource of(java.util.Map<String, NDArray> tensors, String description) {
        return new TensorSource() {
            @Override
            public List<String> names() {
                return List.copyOf(tensors.keySet());
            }

            @Override
            public Shape shape(String name) {
                return tensors.get(name).getShape();
            }

            @Override
            public NDArray read(String name, NDManager manager, DataType dtype) {
                NDArray a = tensors.get(name);
                NDArray copy = a.getDataType() == dtype ? a.duplicate() : a.toType(dtype, true);
                copy.attach(manager);
                return copy;
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}
