using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// PASCAL VOC 2007 as the atlas code reads it (<c>src/datasets/voc2007.py</c>, <c>PASCALVoc2007Cropped</c>): a split's
/// image ids are the first column of <c>ImageSets/Main/aeroplane_{split}.txt</c> (lines "<c>id ±1</c>"); each id's
/// <c>Annotations/&lt;id&gt;.xml</c> gives one sample per <c>&lt;object&gt;</c>, in file order, labelled by its
/// <c>&lt;name&gt;</c> (the first child element) among the 20 categories and cropped to its <c>&lt;bndbox&gt;</c>
/// (children 0–3: xmin, ymin, xmax, ymax, taken as Pillow crop bounds as they are). Objects marked difficult or
/// truncated are kept, as the atlas code keeps them. Train is <c>train</c>, validation the dataset's own <c>val</c>
/// (<c>PascalVOCVal</c>), test <c>test</c>.
/// </summary>
public sealed class PascalVocReader : IPaperDatasetReader
{
    /// <summary>The VOC category names in label order (the atlas code's <c>object_categories</c>).</summary>
    private static readonly string[] Categories =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    private static readonly string[] BoxFields = ["xmin", "ymin", "xmax", "ymax"];

    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.PascalVoc;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "VOCdevkit/VOC2007/JPEGImages/<id>.jpg\n" +
        "VOCdevkit/VOC2007/Annotations/<id>.xml                  VOC XML: <object><name>…</name>…<bndbox><xmin>…</xmin><ymin>…</ymin><xmax>…</xmax><ymax>…</ymax></bndbox></object>\n" +
        "VOCdevkit/VOC2007/ImageSets/Main/aeroplane_train.txt    lines \"<id> <1|-1|0>\" (trainval and test archives merged)\n" +
        "VOCdevkit/VOC2007/ImageSets/Main/aeroplane_val.txt\n" +
        "VOCdevkit/VOC2007/ImageSets/Main/aeroplane_test.txt";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Root(string dataRoot) => Path.Combine(dataRoot, "VOCdevkit", "VOC2007");

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(Root(dataRoot), "JPEGImages"));
        guard.Folder(Path.Combine(Root(dataRoot), "Annotations"));
        foreach (string split in new[] { "train", "val", "test" })
        {
            string list = SplitList(dataRoot, split);
            string id = Id(guard, list, 1, guard.FirstLine(list))!;
            guard.File(Path.Combine(Root(dataRoot), "Annotations", $"{id}.xml"));
        }
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(Root(dataRoot), "JPEGImages"));
        IReadOnlyList<string> names = guard.ClassNames(Path.Combine(Root(dataRoot), "Annotations"), Categories.Length);
        return new DatasetSplits(Dataset, names,
            ReadSplit(guard, dataRoot, "train"), ReadSplit(guard, dataRoot, "val"), ReadSplit(guard, dataRoot, "test"));
    }

    private static string SplitList(string dataRoot, string split) =>
        Path.Combine(Root(dataRoot), "ImageSets", "Main", $"aeroplane_{split}.txt");

    private static List<LabelledImage> ReadSplit(LayoutGuard guard, string dataRoot, string split)
    {
        string list = SplitList(dataRoot, split);
        guard.FirstLine(list);
        string images = Path.GetFullPath(Path.Combine(Root(dataRoot), "JPEGImages"));
        var samples = new List<LabelledImage>();
        int number = 0;
        foreach (string line in File.ReadLines(list))
        {
            number++;
            if (Id(guard, list, number, line) is not { } id)
            {
                continue;
            }
            string xml = guard.File(Path.Combine(Root(dataRoot), "Annotations", $"{id}.xml"));
            string image = Path.Combine(images, $"{id}.jpg");
            foreach (var (label, left, top, right, bottom) in Boxes(guard, xml))
            {
                samples.Add(new LabelledImage(new ImageFileCrop(image, left, top, right, bottom), label));
            }
        }
        return samples;
    }

    /// <summary>The id of a split-list line, null for a blank line (the atlas code skips those).</summary>
    private static string? Id(LayoutGuard guard, string list, int number, string line)
    {
        string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            return null;
        }
        if (fields.Length != 2)
        {
            throw guard.Fail(list, $"line {number} is not \"<id> <1|-1|0>\": '{line}'");
        }
        return fields[0];
    }

    private static IEnumerable<(int Label, int Left, int Top, int Right, int Bottom)> Boxes(LayoutGuard guard, string xml)
    {
        XElement root;
        try
        {
            root = XDocument.Load(xml).Root!;
        }
        catch (XmlException e)
        {
            throw guard.Fail(xml, $"not valid XML ({e.Message})");
        }
        var boxes = new List<(int, int, int, int, int)>();
        int index = 0;
        foreach (XElement obj in root.Elements("object"))
        {
            XElement? name = obj.Elements().FirstOrDefault();
            if (name is null || name.Name.LocalName != "name")
            {
                throw guard.Fail(xml, $"object {index}: the first child is not <name>");
            }
            int label = Array.IndexOf(Categories, name.Value);
            if (label < 0)
            {
                throw guard.Fail(xml, $"object {index}: unknown category '{name.Value}'");
            }
            XElement? box = obj.Element("bndbox");
            XElement[] edges = box?.Elements().Take(4).ToArray() ?? [];
            if (edges.Length != 4 || !edges.Select(e => e.Name.LocalName).SequenceEqual(BoxFields))
            {
                throw guard.Fail(xml, $"object {index}: <bndbox> does not start with <xmin>, <ymin>, <xmax>, <ymax>");
            }
            int[] values = new int[4];
            for (int i = 0; i < 4; i++)
            {
                if (!int.TryParse(edges[i].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw guard.Fail(xml, $"object {index}: <{BoxFields[i]}> is not an integer: '{edges[i].Value}'");
                }
            }
            boxes.Add((label, values[0], values[1], values[2], values[3]));
            index++;
        }
        return boxes;
    }
}
