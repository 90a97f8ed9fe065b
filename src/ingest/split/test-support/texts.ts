/** Sample passages for the splitter tests: realistic prose with paragraph breaks. */

export const ENGLISH_PASSAGE = `Wind turbines convert the kinetic energy of moving air into electricity. A modern utility-scale turbine stands more than one hundred metres tall, and its blades sweep an area larger than a football field. The rotor turns a shaft that drives a generator, usually through a gearbox that raises the slow rotation of the blades to the speed the generator needs.

Maintenance is the largest running cost of a wind farm. Technicians climb the tower to inspect bolts, change oil and replace worn bearings! Gearbox failures are especially expensive, because a crane must be hired to lift the heavy parts out of the nacelle. Operators therefore watch vibration and temperature data closely, hoping to catch a failing bearing weeks before it breaks.

Can software predict these failures? Several studies suggest it can. Models trained on years of sensor readings learn what normal operation looks like, and they raise an alarm when a turbine drifts away from it. The alarms are not perfect: some are false, and some failures arrive without warning. Still, even a modest improvement in prediction pays for itself on a large farm.

Offshore farms face harsher conditions. Salt spray corrodes steel, storms delay repair crews for days, and every visit requires a boat or a helicopter. Engineers respond with sealed nacelles, dehumidifiers and remote monitoring, so that most problems can be diagnosed from the shore. The next generation of turbines, with rotors over two hundred metres across, will make these lessons even more important.`;

export const CHINESE_PASSAGE = `风力发电是把空气流动的动能转化为电能的技术。一台现代大型风力发电机的塔架高度超过一百米，叶片扫过的面积比一个足球场还大。转子带动主轴旋转，主轴通常经过齿轮箱增速以后再驱动发电机。

维护是风电场最大的运行成本。技术人员需要爬上塔架检查螺栓、更换润滑油并替换磨损的轴承！齿轮箱故障尤其昂贵，因为必须租用大型起重机才能把沉重的部件从机舱里吊出来。所以运营商密切关注振动和温度数据，希望在轴承损坏之前几周就发现问题。

软件能够预测这些故障吗？不少研究表明可以。模型从多年的传感器数据中学习正常运行的规律，一旦机组偏离这种规律就会发出警报。警报并不完美：有些是误报，有些故障来得毫无征兆。尽管如此，对于大型风电场来说，哪怕预测准确率只提高一点，也能收回投入的成本。

海上风电场的条件更加恶劣。盐雾会腐蚀钢材，风暴会让维修人员好几天无法出海，每一次巡检都需要船只或者直升机。工程师们采用密封机舱、除湿设备和远程监测系统，使大部分问题可以在岸上诊断。下一代风力发电机的叶轮直径将超过两百米，这些经验会变得更加重要。`;
