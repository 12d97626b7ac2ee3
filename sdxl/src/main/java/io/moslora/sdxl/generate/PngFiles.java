package io.moslora.sdxl.generate;

import io.moslora.cli.UserError;
import io.moslora.io.AtomicFiles;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.NodeList;

/** PNG files with text chunks (prompt, seed, settings — what A1111-style viewers show), and image grids. */
public final class PngFiles {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {}

    /** Writes {@code image} atomically with one {@code tEXt} chunk per entry. */
    public static void write(Path file, BufferedImage image, Map<String, String> text) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
            IIOMetadataNode tEXt = new IIOMetadataNode("tEXt");
            text.forEach((k, v) -> {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", k);
                entry.setAttribute("value", v);
                tEXt.appendChild(entry);
            });
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            root.appendChild(tEXt);
            meta.mergeTree(FORMAT, root);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(new IIOImage(image, null, meta));
            }
            AtomicFiles.writeBytes(file, bytes.toByteArray());
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the PNG (" + e.getMessage() + ")");
        } finally {
            writer.dispose();
        }
    }

    /** The {@code tEXt} entries of a PNG, in file order. */
    public static Map<String, String> readText(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
            reader.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(FORMAT);
            NodeList entries = root.getElementsByTagName("tEXtEntry");
            for (int i = 0; i < entries.getLength(); i++) {
                IIOMetadataNode e = (IIOMetadataNode) entries.item(i);
                out.put(e.getAttribute("keyword"), e.getAttribute("value"));
            }
            reader.dispose();
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the PNG (" + e.getMessage() + ")");
        }
        return out;
    }

    /** Images side by side in rows of {@code columns}, all cells the size of the first image. */
    public static BufferedImage grid(List<BufferedImage> images, int columns) {
        int w = images.get(0).getWidth(), h = images.get(0).getHeight();
        int rows = (images.size() + columns - 1) / columns;
        BufferedImage out = new BufferedImage(w * Math.min(columns, images.size()), h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        for (int i = 0; i < images.size(); i++) {
            g.drawImage(images.get(i), (i % columns) * w, (i / columns) * h, w, h, null);
        }
        g.dispose();
        return out;
    }
}
