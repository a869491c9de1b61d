using System.Runtime.Serialization;

namespace Atlas.Data.Datasets;

/// <summary>
/// The 22 datasets of the paper (its Table 5). Each member's <see cref="EnumMemberAttribute"/> is its one spelling in
/// spec files, index files and tables (the atlas code's registry name, lower-cased; the spec layer's SpecNames reads it).
/// The on-disk layout each reader expects is its reader's <see cref="IPaperDatasetReader.ExpectedLayout"/>.
/// </summary>
public enum PaperDataset
{
    [EnumMember(Value = "cars")] Cars,
    [EnumMember(Value = "dtd")] Dtd,
    [EnumMember(Value = "eurosat")] EuroSat,
    [EnumMember(Value = "gtsrb")] Gtsrb,
    [EnumMember(Value = "mnist")] Mnist,
    [EnumMember(Value = "resisc45")] Resisc45,
    [EnumMember(Value = "sun397")] Sun397,
    [EnumMember(Value = "svhn")] Svhn,
    [EnumMember(Value = "cifar10")] Cifar10,
    [EnumMember(Value = "cifar100")] Cifar100,
    [EnumMember(Value = "imagenet")] ImageNet,
    [EnumMember(Value = "stl10")] Stl10,
    [EnumMember(Value = "food101")] Food101,
    [EnumMember(Value = "caltech101")] Caltech101,
    [EnumMember(Value = "caltech256")] Caltech256,
    [EnumMember(Value = "fgvc_aircraft")] FgvcAircraft,
    [EnumMember(Value = "flowers102")] Flowers102,
    [EnumMember(Value = "oxford_iiit_pet")] OxfordIiitPet,
    [EnumMember(Value = "cub200")] Cub200,
    [EnumMember(Value = "pascal_voc")] PascalVoc,
    [EnumMember(Value = "country211")] Country211,
    [EnumMember(Value = "ucf101")] Ucf101,
}
