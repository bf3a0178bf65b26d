import SenseConfig

extension PartCatalogue {
    /// Every I2C part this build knows: a part's folder under Sources/SenseParts, and one line here.
    package static let standard = PartCatalogue([
        BME280Part(variant: .bme280),
        BME280Part(variant: .bmp280),
        SHT4xPart(),
        SHT3xPart(),
        SCD4xPart(),
        SCD30Part(),
        SPS30Part(),
        SEN5xPart(),
        ADS1115Part(),
        MS5837Part(),
    ])
}
