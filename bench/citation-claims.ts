/**
 * Hand-written claims about the files in examples/, for the citation benchmark: paraphrases a model might
 * write of one passage each (supported), the same with one word swapped for a word of another section or
 * none (not supported), and claims on the topic that no passage makes (inventions). Each names the passage
 * it is about by a snippet of its chunk, which the claim cites. Numbers changed are made from the
 * paraphrases by the benchmark.
 */
export interface ExampleClaim {
  /** A snippet of the chunk the claim cites. */
  cites: string;
  text: string;
  kind: 'paraphrase' | 'swap' | 'invention';
}

const paraphrase = (cites: string, text: string): ExampleClaim => ({ cites, text, kind: 'paraphrase' });
const swap = (cites: string, text: string): ExampleClaim => ({ cites, text, kind: 'swap' });
const invention = (cites: string, text: string): ExampleClaim => ({ cites, text, kind: 'invention' });

const GEARBOX = 'The gearbox converts';
const BLADES = 'Inspect the leading edge';
const YAW = 'The yaw drive turns';
const LOUD = 'At 300 metres';
const STORM = 'Above a wind speed';
const OIL_PART = 'GB-OIL-320';
const PAD_PART = 'YAW-PAD';

export const ENGLISH_CLAIMS: ExampleClaim[] = [
  paraphrase(GEARBOX, "The gearbox turns the rotor's slow rotation into the high speed that the generator requires."),
  paraphrase(GEARBOX, 'Check the gearbox oil level monthly and change the oil every 18 months.'),
  paraphrase(GEARBOX, 'Replace the gearbox oil every 18 months.'),
  paraphrase(GEARBOX, 'A rising oil temperature and metal particles in the filter are early warning signs of bearing wear.'),
  paraphrase(BLADES, 'The leading edge of every blade should be inspected twice a year.'),
  paraphrase(BLADES, 'Blades should have their leading edges inspected two times per year.'),
  paraphrase(BLADES, 'Erosion caused by rain and sand can reduce the power output by as much as 5%.'),
  paraphrase(BLADES, 'Small cracks can be repaired with epoxy filler, while larger damage requires a specialist.'),
  paraphrase(YAW, 'The yaw drive keeps the nacelle turned into the wind.'),
  paraphrase(YAW, 'The yaw bearing should be greased every six months, and the brake pads checked for wear.'),
  paraphrase(YAW, 'A turbine that fails to follow the wind loses energy and puts an uneven load on its tower.'),
  paraphrase(LOUD, 'From 300 metres away, a modern turbine is about as loud as a quiet office, roughly 40 decibels.'),
  paraphrase(STORM, 'When the wind speed exceeds about 25 m/s, the turbine pitches its blades out of the wind and stops.'),
  paraphrase(OIL_PART, 'The synthetic gearbox oil GB-OIL-320 has a price of 1450 EUR.'),
  paraphrase(PAD_PART, 'The yaw brake pad set YAW-PAD has an interval of 24 months.'),

  swap(GEARBOX, "The yaw drive turns the rotor's slow rotation into the high speed that the generator requires."),
  swap(GEARBOX, 'Check the gearbox oil level monthly and change the brake pads every 18 months.'),
  swap(BLADES, 'Erosion caused by hail and ice can reduce the power output by as much as 5%.'),
  swap(BLADES, 'Small cracks can be repaired by welding, while larger damage requires a specialist.'),
  swap(YAW, 'The yaw bearing should be greased every six months, and the gearbox checked for wear.'),
  swap(LOUD, 'From 300 metres away, a modern turbine is about as loud as a busy street, roughly 40 decibels.'),
  swap(STORM, 'When the wind speed exceeds about 25 m/s, the turbine turns its nacelle out of the wind and stops.'),
  swap(BLADES, 'The leading edge of every tower should be inspected twice a year.'),

  invention(GEARBOX, 'The gearbox must be flushed with solvent before new oil is added.'),
  invention(BLADES, 'Blades are usually replaced after twenty years of service.'),
  invention(BLADES, 'Lightning protection on the blades should be tested every spring.'),
  invention(YAW, 'The tower bolts need retightening after the first year of operation.'),
  invention(STORM, 'In a storm the turbine keeps producing power at a reduced speed.'),
];

const ZH_GEARBOX = '齿轮箱把风轮';
const ZH_BLADES = '每年检查两次叶片前缘';
const ZH_YAW = '偏航驱动让机舱';

export const CHINESE_CLAIMS: ExampleClaim[] = [
  paraphrase(ZH_GEARBOX, '齿轮箱将风轮的低速转动转换成发电机所需的高速转动。'),
  paraphrase(ZH_GEARBOX, '油位每月检查一次，齿轮油每十八个月更换一次。'),
  paraphrase(ZH_GEARBOX, '齿轮油每18个月需要更换。'),
  paraphrase(ZH_GEARBOX, '如果油温持续升高或滤网中出现金属颗粒，可能是轴承开始磨损的信号。'),
  paraphrase(ZH_BLADES, '叶片前缘每年应检查两次。'),
  paraphrase(ZH_BLADES, '雨水和沙尘的侵蚀可使发电量下降约百分之五。'),
  paraphrase(ZH_BLADES, '小裂纹可以用环氧树脂修补，较大的损伤则要请专业人员处理。'),
  paraphrase(ZH_YAW, '偏航驱动使机舱始终对准风向。'),
  paraphrase(ZH_YAW, '偏航轴承每六个月要加一次润滑脂，同时检查刹车片的磨损。'),
  paraphrase(ZH_YAW, '风机如果不能跟随风向，就会损失发电量，塔架受力也会不均。'),

  swap(ZH_GEARBOX, '偏航驱动将风轮的低速转动转换成发电机所需的高速转动。'),
  swap(ZH_BLADES, '塔架前缘每年应检查两次。'),
  swap(ZH_BLADES, '冰雹和雷电的侵蚀可使发电量下降约百分之五。'),
  swap(ZH_BLADES, '小裂纹可以用焊接修补，较大的损伤则要请专业人员处理。'),
  swap(ZH_YAW, '偏航轴承每六个月要加一次齿轮油，同时检查刹车片的磨损。'),
  swap(ZH_GEARBOX, '如果油温持续升高或滤网中出现塑料碎片，可能是轴承开始磨损的信号。'),

  invention(ZH_GEARBOX, '更换齿轮油之前必须用清洗剂冲洗齿轮箱。'),
  invention(ZH_BLADES, '叶片一般在使用二十年后更换。'),
  invention(ZH_BLADES, '每年春季应测试叶片的防雷系统。'),
  invention(ZH_YAW, '塔架螺栓在运行第一年后需要重新紧固。'),
];
